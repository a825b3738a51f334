/**
 * The saga task, visibility-timeout adjuster and circuit breaker handlers over mocked AWS
 * clients: what they ask AWS and how they answer the state machine / schedule.
 */
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetEventSourceMappingCommand, LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IN_FLIGHT_METRIC_ID, IN_FLIGHT_METRIC_NAME, metricsFor } from '../platform/description';
import { visibilityTimeout } from '../runtime/policies/visibility-timeout';

const doc = mockClient(DynamoDBDocumentClient);
const events = mockClient(EventBridgeClient);
const cloudwatch = mockClient(CloudWatchClient);
const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);

const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const transaction = {
  transactionId: 'tx-9',
  fromAccount: 'acc-a',
  toAccount: 'acc-b',
  amount: 900,
  currency: 'EUR',
  createdAt: '2026-01-01T00:00:00Z',
};

beforeEach(() => {
  vi.resetModules();
  for (const m of [doc, events, cloudwatch, sqs, lambda]) m.reset();
  Object.assign(process.env, {
    STAGE: 'test',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
  });
});

async function sagaTask(task: string) {
  Object.assign(process.env, { SAGA_TASK: task, SAGA_TABLE: 'saga', LEDGER_TABLE: 'ledger', BUS_NAME: 'bus' });
  const mod: { handler: unknown } = await import('./saga-task');
  return mod.handler as (e: unknown, c: Context) => Promise<Record<string, unknown>>;
}

describe('saga task Lambda', () => {
  it('throws InsufficientFundsError by name (the state machine catches it without retrying) and records the failure', async () => {
    doc.on(GetCommand).resolves({});
    doc
      .on(GetCommand, { TableName: 'ledger', Key: { pk: 'ACCOUNT#acc-a', sk: 'ACCOUNT' } })
      .resolves({ Item: { available: 100, currency: 'EUR' } });
    // DynamoDB's answer when the account's `available >= :a` condition (item 1) fails.
    doc.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message:
          'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]',
        $metadata: {},
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
        ],
      }),
    );
    doc.on(PutCommand).resolves({});
    const handler = await sagaTask('ReserveFunds');
    const error = await handler({ sagaId: 'tx-9', transaction, retryCount: 0, task: 'ReserveFunds' }, context).catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('InsufficientFundsError');
    const put = doc
      .commandCalls(PutCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.TableName === 'saga');
    expect(put?.Item).toMatchObject({
      sagaId: 'tx-9',
      sk: 'TASK#ReserveFunds',
      status: 'FAILED',
      attempt: 1,
      error: { name: 'InsufficientFundsError' },
    });
    // The summary item the console reads (infra/platform/layout.ts): failed step, no status yet.
    const summary = doc
      .commandCalls(UpdateCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.TableName === 'saga');
    expect(summary?.Key).toEqual({ sagaId: 'tx-9', sk: 'SUMMARY' });
    expect(summary?.ExpressionAttributeValues).toMatchObject({
      ':failedStep': 'ReserveFunds',
      ':tx': transaction.transactionId,
      ':amount': transaction.amount,
      ':currency': transaction.currency,
    });
    expect(summary?.ExpressionAttributeValues?.[':status']).toBeUndefined();
  });

  it('publishes the settlement request and records success with the step output', async () => {
    doc.on(GetCommand).resolves({});
    doc.on(PutCommand).resolves({});
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    const handler = await sagaTask('SettlePayment');
    const out = await handler({ sagaId: 'tx-9', transaction, retryCount: 1, task: 'SettlePayment' }, context);
    expect(out).toMatchObject({ reference: 'stl-tx-9', alreadyDone: false });
    const entry = events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({ EventBusName: 'bus', Source: 'ledgerline.saga', DetailType: 'SettlementRequested' });
    expect(JSON.parse(entry.Detail!)).toMatchObject({ idempotencyKey: 'tx-9', amount: 900 });
    const put = doc
      .commandCalls(PutCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.TableName === 'saga');
    expect(put?.Item).toMatchObject({ status: 'SUCCEEDED', attempt: 2 });
  });

  it('turns a rejected downstream request into a retryable TransientError', async () => {
    doc.on(GetCommand).resolves({});
    doc.on(PutCommand).resolves({});
    events
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }] });
    const handler = await sagaTask('Notify');
    const error = await handler({ sagaId: 'tx-9', transaction, retryCount: 0, task: 'Notify' }, context).catch(
      (e: unknown) => e as Error,
    );
    expect((error as Error).name).toBe('TransientError');
  });

  it('turns DynamoDB throttling into a retryable TransientError instead of compensating the saga', async () => {
    doc
      .on(GetCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' }),
      );
    doc.on(PutCommand).resolves({});
    const handler = await sagaTask('PostLedger');
    const error = await handler({ sagaId: 'tx-9', transaction, retryCount: 0, task: 'PostLedger' }, context).catch(
      (e: unknown) => e as Error,
    );
    expect((error as Error).name).toBe('TransientError');
  });

  it('does not fail a completed step when the saga-state table write fails', async () => {
    doc.on(GetCommand).resolves({});
    doc.on(TransactWriteCommand).resolves({});
    doc.on(PutCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const handler = await sagaTask('PostLedger');
    const out = await handler({ sagaId: 'tx-9', transaction, retryCount: 0, task: 'PostLedger' }, context);
    expect(out).toMatchObject({ debit: 'acc-a', credit: 'acc-b', amount: 900, alreadyDone: false });
  });

  it('refuses to run a task it was not deployed for', async () => {
    const handler = await sagaTask('PostLedger');
    await expect(handler({ sagaId: 'tx-9', transaction, retryCount: 0, task: 'Notify' }, context)).rejects.toThrow(
      /runs PostLedger/,
    );
  });
});

describe('visibility-timeout adjuster Lambda', () => {
  // The deployed wiring (infra/lib/constructs/processing.ts): the in-flight metric of the platform
  // description, a 30 s function timeout and a 1 s batch window, so the floor is 6 × 30 + 1 = 181 s.
  const inFlight = metricsFor('staging').find((m) => m.id === IN_FLIGHT_METRIC_ID)!;
  const policy = { functionTimeoutSeconds: 30, batchWindowSeconds: 1 };
  const floor = visibilityTimeout({ observedP99Seconds: null, ...policy }).timeoutSeconds;
  async function adjuster() {
    Object.assign(process.env, {
      QUEUE_URLS: JSON.stringify(['https://sqs/q1']),
      IN_FLIGHT_METRIC: JSON.stringify({
        namespace: inFlight.namespace,
        metricName: inFlight.metricName,
        dimensions: inFlight.dimensions,
      }),
      FUNCTION_TIMEOUT_SECONDS: String(policy.functionTimeoutSeconds),
      BATCH_WINDOW_SECONDS: String(policy.batchWindowSeconds),
    });
    const mod: { handler: unknown } = await import('./visibility-timeout-adjuster');
    return mod.handler as () => Promise<{ timeoutSeconds: number }>;
  }

  it('raises the queue timeout above the floor when throttled invokes keep messages in flight longer than the function timeout', async () => {
    // The mapping held batches ~45 s waiting for a concurrency slot, then the window and a
    // full 30 s invocation: the in-flight p99 (75 s, in one 5-minute period) exceeds the function
    // timeout, which the Lambda Duration never can.
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'p99', Values: [40, 75, 62] }] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { VisibilityTimeout: String(floor) } });
    sqs.on(SetQueueAttributesCommand).resolves({});
    const d = await (await adjuster())();
    const expected = visibilityTimeout({ observedP99Seconds: 75, ...policy });
    expect(expected.clamped).toBeNull();
    expect(expected.timeoutSeconds).toBeGreaterThan(floor);
    expect(d.timeoutSeconds).toBe(expected.timeoutSeconds);
    expect(sqs.commandCalls(SetQueueAttributesCommand)[0]!.args[0].input).toEqual({
      QueueUrl: 'https://sqs/q1',
      Attributes: { VisibilityTimeout: String(expected.timeoutSeconds) },
    });
    const call = cloudwatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(call.EndTime!.getTime() - call.StartTime!.getTime()).toBe(15 * 60_000);
    expect(call.MetricDataQueries![0]!.MetricStat).toMatchObject({
      Stat: 'p99',
      Period: 300,
      Unit: 'Seconds',
      Metric: {
        Namespace: inFlight.namespace,
        MetricName: IN_FLIGHT_METRIC_NAME,
        Dimensions: Object.entries(inFlight.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
    });
  });

  it('returns a raised queue to the floor once the in-flight p99 is back below it', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'p99', Values: [3.2, 12.5] }] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { VisibilityTimeout: '450' } });
    sqs.on(SetQueueAttributesCommand).resolves({});
    const d = await (await adjuster())();
    expect(d).toMatchObject({ timeoutSeconds: floor, clamped: 'floor' });
    expect(sqs.commandCalls(SetQueueAttributesCommand)[0]!.args[0].input).toEqual({
      QueueUrl: 'https://sqs/q1',
      Attributes: { VisibilityTimeout: String(floor) },
    });
  });

  it('keeps the floor (6 × function timeout + window) without data and does not rewrite an unchanged value', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'p99', Values: [] }] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { VisibilityTimeout: String(floor) } });
    const d = await (await adjuster())();
    expect(d.timeoutSeconds).toBe(6 * policy.functionTimeoutSeconds + policy.batchWindowSeconds);
    expect(sqs.commandCalls(SetQueueAttributesCommand)).toHaveLength(0);
  });
});

describe('circuit breaker Lambda', () => {
  async function breaker() {
    Object.assign(process.env, {
      MAPPING_IDS: JSON.stringify(['uuid-1']),
      ALARM_NAME: 'ledgerline-test-downstream-failures',
      MAX_CONCURRENCY: '23',
      PROBE_CONCURRENCY: '2',
      OPEN_SECONDS: '300',
      HALF_OPEN_SECONDS: '300',
      PROCESSING_ENABLED: 'true',
    });
    const mod: { handler: unknown } = await import('./circuit-breaker');
    return mod.handler as () => Promise<{ kind: string; to?: string }[]>;
  }

  it('disables the processor mapping when the downstream alarm is in ALARM', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ StateValue: 'ALARM' }] });
    lambda
      .on(GetEventSourceMappingCommand)
      .resolves({ State: 'Enabled', ScalingConfig: { MaximumConcurrency: 23 }, LastModified: new Date() });
    lambda.on(UpdateEventSourceMappingCommand).resolves({});
    const actions = await (await breaker())();
    expect(actions[0]).toMatchObject({ kind: 'update', to: 'open' });
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand)[0]!.args[0].input).toEqual({
      UUID: 'uuid-1',
      Enabled: false,
      ScalingConfig: { MaximumConcurrency: 23 },
    });
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input).toEqual({
      AlarmNames: ['ledgerline-test-downstream-failures'],
    });
  });

  it('re-enables at the probe concurrency after the open period once the alarm cleared', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ StateValue: 'OK' }] });
    lambda.on(GetEventSourceMappingCommand).resolves({
      State: 'Disabled',
      ScalingConfig: { MaximumConcurrency: 23 },
      LastModified: new Date(Date.now() - 600_000),
    });
    lambda.on(UpdateEventSourceMappingCommand).resolves({});
    await (
      await breaker()
    )();
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand)[0]!.args[0].input).toEqual({
      UUID: 'uuid-1',
      Enabled: true,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });
});
