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
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sagaIdFor } from '../../server/platform/aws/layout';

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
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
  });
  const mod: { handler: unknown } = await import('./processor');
  handler = mod.handler as typeof handler;
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

  it('releases the claim when the saga cannot be started, so the retry can claim again', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const res = await handler({ Records: [record('m5', event('tx-0004'))] }, context);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm5' }]);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(1);
  });
});
