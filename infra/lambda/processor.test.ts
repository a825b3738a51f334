/**
 * The processor handler end to end over mocked AWS clients (request shapes, partial batch
 * responses, exactly-once on the transaction id): the runtime's processMessage, Powertools
 * batch + idempotency (DynamoDB persistence), and Step Functions StartExecution.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { IN_FLIGHT_METRIC_ID, IN_FLIGHT_METRIC_NAME, metricsFor } from '../platform/description';
import { sagaIdFor } from '../platform/layout';

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
function event(transactionId: string, eventId = `evt-${transactionId}`, amount = 1250) {
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
      amount,
      currency: 'EUR',
      createdAt: '2026-01-01T00:00:00Z',
    },
  };
}
/** The saga input the processor starts an execution of `transactionId` with (keys in another order than the processor writes them). */
function reorderedSagaInput(transactionId: string, amount = 1250): string {
  return JSON.stringify({
    transaction: {
      createdAt: '2026-01-01T00:00:00Z',
      currency: 'EUR',
      amount,
      toAccount: 'acc-b',
      fromAccount: 'acc-a',
      transactionId,
    },
    sagaId: sagaIdFor(transactionId),
  });
}
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:ledgerline-test-payment-saga';
/** The counter metrics (name -> sum) in the EMF documents written so far. */
function counted(name: string): number {
  let sum = 0;
  for (const d of emf) {
    const v = d[name];
    if (typeof v === 'number') sum += v;
    else if (Array.isArray(v)) for (const x of v) sum += Number(x);
  }
  return sum;
}

beforeAll(async () => {
  Object.assign(process.env, {
    STAGE: 'test',
    IDEMPOTENCY_TABLE: 'ledgerline-test-idempotency',
    STATE_MACHINE_ARN,
    IDEMPOTENCY_TTL_HOURS: '48',
    FAILURE_INDEX_TABLE: 'ledgerline-test-failure-index',
    QUEUE_NAME_PREFIX: 'ledgerline-test-',
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
    // The aws adapter's contract (infra/platform/layout.ts): input is exactly { sagaId, transaction }.
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

  it('suppresses a duplicate whose record carries no payload hash (written before payload validation) without starting a saga', async () => {
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

  it('sends the same transaction id with other content to the DLQ when its existing execution holds another transaction', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', input: reorderedSagaInput('tx-0005', 990_000) });
    const res = await handler({ Records: [record('m6', event('tx-0005'))] }, context);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm6' }]);
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toEqual({
      executionArn: 'arn:aws:states:us-east-1:111122223333:execution:ledgerline-test-payment-saga:tx-0005',
    });
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(1); // this message's own claim, released
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(0);
    expect(counted('EventsRejected')).toBe(1);
  });

  it('counts ExecutionAlreadyExists from a closed execution of the same transaction (keys in any order) as a suppressed duplicate and completes the claim', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', input: reorderedSagaInput('tx-0006') });
    const res = await handler({ Records: [record('m12', event('tx-0006'))] }, context);
    expect(res.batchItemFailures).toEqual([]);
    const update = ddb.commandCalls(UpdateItemCommand);
    expect(update).toHaveLength(1);
    expect(update[0]!.args[0].input.ExpressionAttributeValues?.[':response_data']).toEqual({
      M: { sagaId: { S: 'tx-0006' } },
    });
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
    expect(counted('DuplicatesSuppressed')).toBe(1);
    expect(counted('TransactionsProcessed')).toBe(0);
    expect(counted('EventsRejected')).toBe(0);
  });

  it('retries, without calling it a conflict, a message whose existing execution cannot be compared because DescribeExecution returned no input', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
    const res = await handler({ Records: [record('m13', event('tx-0007'))] }, context);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm13' }]);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(1);
    expect(counted('EventsRejected')).toBe(0);
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

/**
 * The idempotency table as Powertools' conditional writes see it (put unless a live record
 * exists, update, delete, get) and Step Functions executions by name as StartExecution treats
 * them: an open execution with the same input answers success; a closed one, or an open one with
 * other input, answers ExecutionAlreadyExists (StartExecution API reference).
 */
describe('processor Lambda against stateful DynamoDB and Step Functions fakes', () => {
  let table: Map<string, Record<string, AttributeValue>>;
  let executions: Map<string, { input: string; running: boolean }>;
  let throttleNextUpdate: boolean;

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    table = new Map();
    executions = new Map();
    throttleNextUpdate = false;
    ddb.on(PutItemCommand).callsFake((input: { Item: Record<string, AttributeValue> }) => {
      const key = input.Item.key!.S!;
      const old = table.get(key);
      const now = Date.now();
      const live =
        old &&
        !(Number(old.expiryTime?.N) < now / 1000) &&
        !(old.status?.S === 'INPROGRESS' && Number(old.inProgressExpiryTime?.N) < now);
      if (live) throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {}, Item: old });
      table.set(key, input.Item);
      return {};
    });
    ddb
      .on(UpdateItemCommand)
      .callsFake(
        (input: {
          Key: { key: { S: string } };
          UpdateExpression: string;
          ExpressionAttributeNames: Record<string, string>;
          ExpressionAttributeValues: Record<string, AttributeValue>;
        }) => {
          if (throttleNextUpdate) {
            throttleNextUpdate = false;
            throw Object.assign(new Error('Throughput exceeds the current capacity'), {
              name: 'ProvisionedThroughputExceededException',
            });
          }
          const item: Record<string, AttributeValue> = { ...(table.get(input.Key.key.S) ?? { key: input.Key.key }) };
          for (const assignment of input.UpdateExpression.replace(/^SET /, '').split(', ')) {
            const [name, value] = assignment.split(' = ') as [string, string];
            item[input.ExpressionAttributeNames[name]!] = input.ExpressionAttributeValues[value]!;
          }
          table.set(input.Key.key.S, item);
          return {};
        },
      );
    ddb.on(DeleteItemCommand).callsFake((input: { Key: { key: { S: string } } }) => {
      table.delete(input.Key.key.S);
      return {};
    });
    ddb
      .on(GetItemCommand)
      .callsFake((input: { Key: { key: { S: string } } }) => ({ Item: table.get(input.Key.key.S) }));
    sfn.on(StartExecutionCommand).callsFake((input: { name: string; input: string }) => {
      const existing = executions.get(input.name);
      if (existing) {
        if (existing.running && existing.input === input.input) return { executionArn: `arn:${input.name}` };
        throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${input.name}'`, $metadata: {} });
      }
      executions.set(input.name, { input: input.input, running: true });
      return { executionArn: `arn:${input.name}`, startDate: new Date() };
    });
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      const name = input.executionArn.split(':').pop()!;
      const e = executions.get(name);
      if (!e)
        throw Object.assign(new Error(`Execution Does Not Exist: '${input.executionArn}'`), {
          name: 'ExecutionDoesNotExist',
        });
      return { executionArn: input.executionArn, name, status: e.running ? 'RUNNING' : 'SUCCEEDED', input: e.input };
    });
  });

  const finishSagas = () => {
    for (const e of executions.values()) e.running = false;
  };

  it('treats the redelivery of a transaction whose saga completed after the claim completion was throttled as a duplicate, not a conflict', async () => {
    throttleNextUpdate = true;
    const first = await handler({ Records: [record('m1', event('tx-9001', 'evt-1'))] }, context);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(executions.size).toBe(1);
    finishSagas(); // the saga runs to its end (seconds) before the visibility timeout expires
    const second = await handler({ Records: [record('m1', event('tx-9001', 'evt-1'))] }, context);
    expect(second.batchItemFailures).toEqual([]); // applied exactly once: nothing to dead-letter
    expect(executions.size).toBe(1);
    expect([...table.values()].map((r) => [r.status?.S, r.result?.M?.sagaId?.S])).toEqual([['COMPLETED', 'tx-9001']]);
    expect(counted('DuplicatesSuppressed')).toBe(1);
    expect(counted('EventsRejected')).toBe(0);
  });

  it('sends the same transaction id with another amount to the DLQ within the idempotency window, starting nothing and keeping the first record', async () => {
    const first = await handler({ Records: [record('m1', event('tx-9002', 'evt-1', 1250))] }, context);
    expect(first.batchItemFailures).toEqual([]);
    const stored = structuredClone([...table.entries()]);
    expect(stored[0]![1].validation?.S).toMatch(/^[A-Za-z0-9+/]{43}=$/); // the transaction's hash, with the claim
    const second = await handler({ Records: [record('m2', event('tx-9002', 'evt-2', 990_000))] }, context);
    expect(second.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect([...table.entries()]).toEqual(stored); // the applied transaction's record is untouched
    expect(counted('EventsRejected')).toBe(1);
  });

  it('suppresses the same transaction within the window however the keys of its JSON are ordered (replay with another event id)', async () => {
    await handler({ Records: [record('m1', event('tx-9003', 'evt-1'))] }, context);
    const original = event('tx-9003', 'replayed-evt');
    const reordered = {
      ...original,
      detail: Object.fromEntries(Object.entries(original.detail).reverse()),
      'replay-name': 'ledgerline-test-replay-1',
    };
    const res = await handler({ Records: [record('m2', reordered)] }, context);
    expect(res.batchItemFailures).toEqual([]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(counted('DuplicatesSuppressed')).toBe(1);
  });

  it('after the idempotency record expired, suppresses the same transaction and dead-letters other content under its id', async () => {
    await handler({ Records: [record('m1', event('tx-9004', 'evt-1'))] }, context);
    finishSagas();
    table.clear(); // 48 h later: the record's TTL ran out; the execution name stays taken for 90 days
    const same = await handler({ Records: [record('m2', event('tx-9004', 'evt-2'))] }, context);
    expect(same.batchItemFailures).toEqual([]);
    expect(counted('DuplicatesSuppressed')).toBe(1);
    expect([...table.values()].map((r) => r.status?.S)).toEqual(['COMPLETED']);
    table.clear();
    const other = await handler({ Records: [record('m3', event('tx-9004', 'evt-3', 5))] }, context);
    expect(other.batchItemFailures).toEqual([{ itemIdentifier: 'm3' }]);
    expect(counted('EventsRejected')).toBe(1);
    expect(table.size).toBe(0); // its own claim released; nothing recorded as applied
    expect(executions.size).toBe(1);
  });

  it('retries other content under a transaction id whose first message still holds its claim', async () => {
    // The first message's function died after its claim (the start and the release both failed):
    // its IN_PROGRESS record stays exclusive until the in-progress expiry.
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
    ddb.on(DeleteItemCommand).rejects(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
    const first = await handler({ Records: [record('m1', event('tx-9005', 'evt-1'))] }, context);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect([...table.values()].map((r) => r.status?.S)).toEqual(['INPROGRESS']);
    const res = await handler({ Records: [record('m2', event('tx-9005', 'evt-2', 7))] }, context);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(counted('EventsRejected')).toBe(0); // a claim conflict: retried, not (yet) rejected
  });
});

describe('processor Lambda failure index', () => {
  const indexWrites = () =>
    ddb.commandCalls(PutItemCommand).filter((c) => c.args[0].input.TableName === 'ledgerline-test-failure-index');

  it('records a message failing on its last receive in the failure index, with its class, before SQS dead-letters it', async () => {
    const res = await handler({ Records: [received('m20', '{not json', 3, Date.now() - 60_000)] }, context);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm20' }]);
    const [put] = indexWrites();
    expect(put!.args[0].input).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: {
        pk: { S: 'M#processing#m20' },
        queueId: { S: 'processing' },
        errorType: { S: 'PoisonMessageError' },
        step: { S: 'parse' },
        verdict: { S: 'permanent' },
      },
    });
    const classId = put!.args[0].input.Item!.classId!.S!;
    const update = ddb
      .commandCalls(UpdateItemCommand)
      .find((c) => c.args[0].input.TableName === 'ledgerline-test-failure-index');
    expect(update!.args[0].input.Key).toEqual({ pk: { S: 'C#processing' }, sk: { S: classId } });
    expect(update!.args[0].input.UpdateExpression).toMatch(/^ADD #count :one SET firstSeen = if_not_exists/);
  });

  it('records nothing on an earlier receive, and a failed index write leaves the batch response unchanged', async () => {
    await handler({ Records: [received('m21', '{not json', 2, Date.now() - 60_000)] }, context);
    expect(indexWrites()).toHaveLength(0);
    ddb.on(PutItemCommand, { TableName: 'ledgerline-test-failure-index' }).rejects(new Error('index down'));
    const res = await handler({ Records: [received('m22', '{not json', 3, Date.now() - 60_000)] }, context);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm22' }]);
    expect(counted('FailureIndexWriteFailed')).toBe(1);
  });
});
