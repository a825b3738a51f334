/**
 * The processor handler end to end over mocked AWS clients (request shapes, partial batch
 * responses, exactly-once on the transaction id): the runtime's processMessage, Powertools
 * batch + idempotency (DynamoDB persistence), and Step Functions StartExecution.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sagaIdFor } from '../../server/platform/aws/layout';
import { IN_FLIGHT_METRIC_ID, IN_FLIGHT_METRIC_NAME, metricsFor } from '../platform/description';

const ddb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
let handler: (e: SQSEvent, c: Context) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

const context = {
  functionName: 'ledgerline-test-processor',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:ledgerline-test-processor',
  memoryLimitInMB: '1024',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

function record(id: string, body: unknown): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {} as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:ledgerline-test-processing',
    awsRegion: 'us-east-1',
  };
}
/** A record as the event source mapping delivers it on its `receiveCount`-th receive. */
function received(id: string, body: unknown, receiveCount: number, firstReceivedAt: number): SQSRecord {
  return {
    ...record(id, body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      ApproximateFirstReceiveTimestamp: String(firstReceivedAt),
      SentTimestamp: String(firstReceivedAt - 1_000),
      SenderId: 'AIDAEXAMPLE',
    },
  };
}
function event(transactionId: string, eventId = `evt-${transactionId}`) {
  return {
    version: '0',
    id: eventId,
    source: 'transaction.processing',
    'detail-type': 'TransactionSubmitted',
    time: '2026-01-01T00:00:00Z',
    detail: {
      transactionId,
      fromAccount: 'acc-a',
      toAccount: 'acc-b',
      amount: 1250,
      currency: 'EUR',
      createdAt: '2026-01-01T00:00:00Z',
    },
  };
}

beforeAll(async () => {
  Object.assign(process.env, {
    STAGE: 'test',
    IDEMPOTENCY_TABLE: 'ledgerline-test-idempotency',
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111122223333:stateMachine:ledgerline-test-payment-saga',
    IDEMPOTENCY_TTL_HOURS: '48',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // Enabled: the EMF lines the function writes to stdout are captured below (emf).
    POWERTOOLS_METRICS_DISABLED: 'false',
    AWS_REGION: 'us-east-1',
  });
  const mod: { handler: unknown } = await import('./processor');
  handler = mod.handler as typeof handler;
});

/** The EMF documents (CloudWatch embedded metric format) the function wrote during the test. */
let emf: Record<string, unknown>[] = [];
beforeEach(() => {
  emf = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.includes('"_aws"')) {
      emf.push(JSON.parse(text) as Record<string, unknown>);
      return true;
    }
    return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

beforeEach(() => {
  ddb.reset();
  sfn.reset();
  ddb.on(PutItemCommand).resolves({});
  ddb.on(UpdateItemCommand).resolves({});
  ddb.on(DeleteItemCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
});

describe('processor Lambda', () => {
  it('starts one saga per transaction and reports only the poison message as a batch item failure', async () => {
    const res = await handler({ Records: [record('m1', event('tx-0001')), record('m2', '{not json')] }, context);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    const starts = sfn.commandCalls(StartExecutionCommand);
    expect(starts).toHaveLength(1);
    expect(starts[0]!.args[0].input).toMatchObject({ name: 'tx-0001', stateMachineArn: process.env.STATE_MACHINE_ARN });
    // The aws adapter's contract (server/platform/aws/layout.ts): input is exactly { sagaId, transaction }.
    const input = JSON.parse(starts[0]!.args[0].input.input!) as Record<string, unknown>;
    expect(Object.keys(input).sort()).toEqual(['sagaId', 'transaction']);
    expect(input).toMatchObject({ sagaId: 'tx-0001', transaction: { transactionId: 'tx-0001', amount: 1250 } });
    // The idempotency claim: conditional put keyed by the hashed transaction id, TTL in expiryTime.
    const put = ddb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(put.TableName).toBe('ledgerline-test-idempotency');
    expect(put.ConditionExpression).toContain('attribute_not_exists(#id)');
    expect(put.ExpressionAttributeNames).toMatchObject({ '#id': 'key', '#expiry': 'expiryTime' });
    expect(put.Item?.key?.S).toMatch(/^transaction#[A-Za-z0-9+/=]{40,}$/);
    const expiry = Number(put.Item?.expiryTime?.N);
    expect(expiry - Date.now() / 1000).toBeGreaterThan(47 * 3600);
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(1); // claim completed with the saga id
  });

  it('names the execution sagaIdFor(transactionId), the name the console looks the saga up by', async () => {
    const id = 'order.7:2026:1';
    const res = await handler({ Records: [record('m7', event(id))] }, context);
    expect(res.batchItemFailures).toEqual([]);
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.name).toBe(sagaIdFor(id));
    expect(start.name).toMatch(/^order\.7_2026_1-[0-9a-f]{16}$/);
    expect((JSON.parse(start.input!) as { sagaId: string }).sagaId).toBe(start.name);
  });

  it('suppresses a duplicate (redrive, replay or replicated copy with another event id) without starting a saga', async () => {
    ddb.on(PutItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'exists',
        $metadata: {},
        Item: marshall({
          key: 'transaction#x',
          status: 'COMPLETED',
          expiryTime: Math.floor(Date.now() / 1000) + 3600,
          result: { sagaId: 'tx-0002' },
        }),
      }),
    );
    const res = await handler({ Records: [record('m3', event('tx-0002', 'replayed-event-id'))] }, context);
    expect(res.batchItemFailures).toEqual([]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('fails the message while another worker holds the claim, so it is retried later', async () => {
    ddb.on(PutItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'exists',
        $metadata: {},
        Item: marshall({
          key: 'transaction#x',
          status: 'INPROGRESS',
          expiryTime: Math.floor(Date.now() / 1000) + 3600,
          inProgressExpiryTime: Date.now() + 60_000,
        }),
      }),
    );
    const res = await handler({ Records: [record('m4', event('tx-0003'))] }, context);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm4' }]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('sends a different payload under an existing transaction id to the DLQ instead of applying it', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const res = await handler({ Records: [record('m6', event('tx-0005'))] }, context);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm6' }]);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(1);
  });

  it('emits the longest in-flight time of the first-received messages, once per invocation, for the visibility adjuster', async () => {
    const before = Date.now();
    // m8 waited 75 s in flight (the mapping retried a throttled invoke), m9 5 s; m10 is a second
    // receive whose first receive was 10 minutes ago: its time spans an earlier visibility timeout.
    const res = await handler(
      {
        Records: [
          received('m8', event('tx-0008'), 1, before - 75_000),
          received('m9', event('tx-0009'), 1, before - 5_000),
          received('m10', event('tx-0010'), 2, before - 600_000),
        ],
      },
      context,
    );
    const after = Date.now();
    expect(res.batchItemFailures).toEqual([]);
    const docs = emf.filter((d) => IN_FLIGHT_METRIC_NAME in d);
    expect(docs).toHaveLength(1);
    const doc = docs[0]!;
    const seconds = doc[IN_FLIGHT_METRIC_NAME] as number;
    expect(seconds).toBeGreaterThanOrEqual(75);
    expect(seconds).toBeLessThanOrEqual((after - (before - 75_000)) / 1000);
    expect(doc.Stage).toBe('test');
    // Exactly the metric the platform description defines (what the adjuster reads).
    const def = metricsFor('staging').find((m) => m.id === IN_FLIGHT_METRIC_ID)!;
    expect(def.metricName).toBe(IN_FLIGHT_METRIC_NAME);
    const aws = doc._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: unknown[] }[] };
    expect(aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: def.namespace,
      Dimensions: [Object.keys(def.dimensions)],
      Metrics: expect.arrayContaining([{ Name: IN_FLIGHT_METRIC_NAME, Unit: 'Seconds' }]) as unknown,
    });
  });

  it('emits no in-flight time when every message of the batch is a redelivery', async () => {
    const res = await handler({ Records: [received('m11', event('tx-0011'), 3, Date.now() - 900_000)] }, context);
    expect(res.batchItemFailures).toEqual([]);
    expect(emf.length).toBeGreaterThan(0); // the function's other metrics were written
    expect(emf.some((d) => IN_FLIGHT_METRIC_NAME in d)).toBe(false);
  });

  it('releases the claim when the saga cannot be started, so the retry can claim again', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const res = await handler({ Records: [record('m5', event('tx-0004'))] }, context);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm5' }]);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(1);
  });
});
