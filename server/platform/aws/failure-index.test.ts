/**
 * Dead-letter triage on the aws adapter: the failure index on a DynamoDB-compatible server
 * (dynalite: real conditional writes, queries and GSIs), written with the processor's own requests
 * (infra/runtime/failure-class-index.ts); SQS through aws-sdk-client-mock.
 */
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failureIndexRequests } from '../../../infra/runtime/failure-class-index';
import { failureClassSummarySchema } from '../triage.schema';
import { createAwsPlatform } from './adapter';
import { failureIndexTableInput } from './failure-index';
import { callerOf, NOW, recordingClients, staticClients, testConfig, testRedriveStore } from './testing';

const dynalite = createRequire(import.meta.url)('dynalite') as (o: { createTableMs: number }) => Server;
const TABLE = 'ledgerline-staging-failure-index';
const sqs = mockClient(SQSClient);
let server: Server;
let raw: DynamoDBClient;
let endpoint: string;

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const body = (tx: string) => JSON.stringify({ id: `evt-${tx}`, detail: { transactionId: tx, amount: 12 } });
const poison = (tx: string) => `PoisonMessageError: detail.toAccount: required (transaction ${tx})`;
const outage = new Error('Rate exceeded for tx-x');
outage.name = 'ThrottlingException';

/** What the processor sends on a last failure: the conditional put, then the class update if it won. */
async function record(messageId: string, tx: string, error: unknown, at = NOW): Promise<boolean> {
  const { put, update } = failureIndexRequests(TABLE, {
    queueId: 'processing',
    messageId,
    body: body(tx),
    error,
    nowMs: at,
  });
  try {
    await raw.send(new PutItemCommand(put));
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
  await raw.send(new UpdateItemCommand(update));
  return true;
}

const dlqMessage = (n: number, tx: string): Message => ({
  MessageId: uuid(n),
  ReceiptHandle: `rh-${n}`,
  Body: body(tx),
  Attributes: {
    ApproximateReceiveCount: '4',
    SentTimestamp: String(NOW - 60_000),
    ApproximateFirstReceiveTimestamp: String(NOW - 50_000),
  },
});

function platform() {
  const clients = staticClients();
  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'k', secretAccessKey: 's' } }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  return createAwsPlatform(testConfig({ failureIndexTable: TABLE }), {
    redriveStore: testRedriveStore(),
    // Every request is recorded for the IAM evaluation (test/iam) as the caller's operator role.
    clientsFor: (caller) => recordingClients({ ...clients, dynamodb: ddb }, caller.role),
    now: () => NOW,
    sleep: () => Promise.resolve(),
  });
}

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  raw = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
  await raw.send(new CreateTableCommand(failureIndexTableInput(TABLE)));
  for (let i = 1; i <= 3; i++) await record(uuid(i), `tx-p${i}`, poison(`tx-p${i}`), NOW + i);
  for (let i = 4; i <= 5; i++) await record(uuid(i), `tx-t${i}`, outage, NOW + i);
});
afterAll(async () => {
  raw.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const viewer = callerOf('viewer');
const operator = callerOf('operator');

beforeEach(() => {
  sqs.reset();
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '5' } });
  sqs
    .on(ReceiveMessageCommand)
    .resolvesOnce({ Messages: [1, 2, 3, 4, 5].map((n) => dlqMessage(n, n <= 3 ? `tx-p${n}` : `tx-t${n}`)) })
    .resolves({ Messages: [] });
  sqs.on(DeleteMessageCommand).resolves({});
  sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
});

describe('dead-letter triage on the aws adapter (failure index on dynalite)', () => {
  it('counts a message recorded twice once (the entry put is conditional)', async () => {
    expect(await record(uuid(1), 'tx-p1', poison('tx-p1'))).toBe(false);
    const classes = await platform().listFailureClasses(viewer, 'processing');
    for (const c of classes) failureClassSummarySchema.parse(c);
    expect(classes.map((c) => [c.errorType, c.step, c.verdict, c.count])).toEqual([
      ['PoisonMessageError', 'parse', 'permanent', 3],
      ['ThrottlingException', 'start-saga', 'retryable', 2],
    ]);
    expect(classes[0]).toMatchObject({
      firstSeen: new Date(NOW + 1).toISOString(),
      lastSeen: new Date(NOW + 3).toISOString(),
      sample: { messageId: uuid(1), transactionId: 'tx-p1' },
    });
    expect(classes[0]!.sample.bodyExcerpt).toContain('tx-p1');
  });

  it('finds a dead letter by transaction id with one query of the index', async () => {
    expect(await platform().searchDeadLetters(viewer, 'processing', 'tx-t4')).toMatchObject([
      { messageId: uuid(4), transactionId: 'tx-t4', errorType: 'ThrottlingException', verdict: 'retryable' },
    ]);
    expect(await platform().searchDeadLetters(viewer, 'processing', 'tx-none')).toEqual([]);
  });

  it('exports a class with bodies, attributes and errors, giving every received message back', async () => {
    const p = platform();
    const poisonClass = (await p.listFailureClasses(viewer, 'processing'))[0]!;
    const out = await p.exportDeadLetters(viewer, 'processing', [poisonClass.classId]);
    expect(out).toMatchObject({ indexed: 3, complete: true, missing: [] });
    expect(out.items.map((m) => [m.id, m.transactionId, m.errorType])).toEqual([
      [uuid(1), 'tx-p1', 'PoisonMessageError'],
      [uuid(2), 'tx-p2', 'PoisonMessageError'],
      [uuid(3), 'tx-p3', 'PoisonMessageError'],
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    const released = sqs
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? []);
    expect(released.map((e) => e.ReceiptHandle).sort()).toEqual(['rh-1', 'rh-2', 'rh-3', 'rh-4', 'rh-5']);
  });

  it('removes exactly the named messages by receipt handle and forgets their entries; a viewer may not', async () => {
    const p = platform();
    await expect(p.removeDeadLetters(viewer, 'processing', [uuid(2)])).rejects.toMatchObject({ code: 'Forbidden' });
    await expect(p.removeDeadLetters(operator, 'processing', ['12'])).rejects.toMatchObject({
      code: 'Invalid',
      field: 'messageIds.0',
    });
    const res = await p.removeDeadLetters(operator, 'processing', [uuid(2), uuid(3), uuid(99)]);
    expect(res).toEqual({ queueId: 'processing', removed: [uuid(2), uuid(3)], notFound: [uuid(99)] });
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual(['rh-2', 'rh-3']);
    const released = sqs
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? []);
    expect(released.map((e) => e.ReceiptHandle).sort()).toEqual(['rh-1', 'rh-4', 'rh-5']);
    const poisonClass = (await p.listFailureClasses(viewer, 'processing')).find((c) => c.verdict === 'permanent');
    expect(poisonClass).toMatchObject({ count: 1, sample: { messageId: uuid(1) } });
  });

  it('redrives only the chosen class, with progress, and forgets the moved entries', async () => {
    const p = platform();
    const retryable = (await p.listFailureClasses(viewer, 'processing')).find((c) => c.verdict === 'retryable')!;
    const task = await p.startRedrive(operator, { queueId: 'processing', classIds: [retryable.classId], rate: 10 });
    expect(task).toMatchObject({ selection: 'classes', total: 2, classIds: [retryable.classId], status: 'RUNNING' });
    for (let i = 0; i < 50 && (await p.getRedrive(operator, task.id))?.status === 'RUNNING'; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await p.getRedrive(operator, task.id)).toMatchObject({ status: 'COMPLETED', moved: 2 });
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.MessageBody)).toEqual([
      body('tx-t4'),
      body('tx-t5'),
    ]);
    const left = await p.listFailureClasses(viewer, 'processing');
    expect(left.map((c) => c.verdict)).toEqual(['permanent']);
    expect(await p.searchDeadLetters(viewer, 'processing', 'tx-t4')).toEqual([]);
    await expect(
      p.startRedrive(operator, { queueId: 'processing', classIds: [retryable.classId] }),
    ).rejects.toMatchObject({ code: 'Conflict', field: 'classIds' });
  });

  it('answers Unavailable without the FailureIndexTableName output', async () => {
    const p = createAwsPlatform(testConfig(), { redriveStore: testRedriveStore(), clientsFor: () => staticClients() });
    await expect(p.listFailureClasses(viewer, 'processing')).rejects.toMatchObject({ code: 'Unavailable' });
  });
});
