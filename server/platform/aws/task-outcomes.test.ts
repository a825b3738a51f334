/**
 * Redrive and replay outcomes on the aws adapter: the failure index on a DynamoDB-compatible
 * server (dynalite, the table made afresh for each test), written with the processor's own requests
 * (infra/runtime/failure-class-index.ts); SQS and EventBridge through aws-sdk-client-mock. Also the
 * replay preview's use of the index (with the archive index and idempotency tables on dynalite).
 */
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeReplayCommand, EventBridgeClient, ListReplaysCommand } from '@aws-sdk/client-eventbridge';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { archiveIndexKey } from '../../../infra/platform/layout';
import { OUTCOME_SETTLE_MS } from '../../../infra/platform/limits';
import { failureIndexRequests } from '../../../infra/runtime/failure-class-index';
import { idempotencyRecordKey } from '../../../infra/runtime/idempotency-key';
import { outcomeText, redriveTaskSchema, replaySchema } from '../platform.schema';
import { createAwsPlatform } from './adapter';
import type { AwsClients, Ctx } from './clients';
import { failureIndexTableInput, permanentTransactions } from './failure-index';
import { encodeMeta } from './replay-mappers';
import {
  OUTCOME_LIST_BUDGET,
  OUTCOME_REFRESH_MS,
  transactionsBackSince,
  TX_LOOKUP_LIMIT,
  unreadOutcome,
} from './task-outcomes';
import {
  callerOf,
  NOW,
  recordingClients,
  staticClients,
  testConfig,
  testRedriveStore,
  transactionEnvelopeBody,
} from './testing';

const dynalite = createRequire(import.meta.url)('dynalite') as (o: {
  createTableMs: number;
  deleteTableMs: number;
}) => Server;
const sqs = mockClient(SQSClient);
const events = mockClient(EventBridgeClient);
const operator = callerOf('operator');
const viewer = callerOf('viewer');
let server: Server;
let endpoint: string;
let raw: DynamoDBClient;
const table = 'ledgerline-staging-failure-index';
let clock = NOW;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  raw = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
  const S = 'S' as const;
  const config = testConfig();
  await raw.send(
    new CreateTableCommand({
      TableName: config.archiveIndexTable!,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: S },
        { AttributeName: 'sk', AttributeType: S },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  await raw.send(
    new CreateTableCommand({
      TableName: config.idempotencyTable,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'key', AttributeType: S }],
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
    }),
  );
});
afterAll(async () => {
  raw.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(async () => {
  clock = NOW;
  // A fresh table per test, under the stack's own name (the IAM evaluation checks the recorded requests).
  await raw.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  await raw.send(new CreateTableCommand(failureIndexTableInput(table)));
  sqs.reset();
  events.reset();
  sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
});

/** The processor's writes for a last failure of `messageId` (transaction `tx`) at `at`. */
async function deadLetter(messageId: string, tx: string, at: number, error = 'ThrottlingException: Rate exceeded') {
  const body = transactionEnvelopeBody(tx);
  const { put, update } = failureIndexRequests(table, { queueId: 'processing', messageId, body, error, nowMs: at });
  await raw.send(new PutItemCommand(put));
  await raw.send(new UpdateItemCommand(update));
}

const documentClient = () =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'k', secretAccessKey: 's' } }),
    { marshallOptions: { removeUndefinedValues: true } },
  );

/** What the adapter's modules work with, on dynalite (for the functions the port does not expose). */
const directCtx = (): Ctx => ({
  config: testConfig({ failureIndexTable: table }),
  aws: { dynamodb: documentClient() } as AwsClients,
  caller: viewer,
  now: () => clock,
  sleep: () => Promise.resolve(),
  randomId: () => 'r',
});

function platform() {
  const ddb = documentClient();
  let seq = 0;
  return createAwsPlatform(testConfig({ failureIndexTable: table }), {
    redriveStore: testRedriveStore(),
    clientsFor: (caller) => recordingClients({ ...staticClients(), dynamodb: ddb }, caller.role),
    now: () => clock,
    sleep: (ms) => ((clock += ms), Promise.resolve()),
    randomId: () => `r${++seq}`,
  });
}

describe('redrive outcomes on the aws adapter (failure index on dynalite)', () => {
  it('a mixed selected redrive gives 4 applied and 2 back in the DLQ once settled, not before', async () => {
    const txs = ['tx-1', 'tx-2', 'tx-3', 'tx-4', 'tx-5', 'tx-6'];
    for (const [i, tx] of txs.entries()) await deadLetter(`m-${i}`, tx, NOW - 120_000);
    // An earlier dead letter of tx-3 that is not redriven: it failed before the start, it is not "back".
    await deadLetter('m-dup-3', 'tx-3', NOW - 100_000);
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '6' } });
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: txs.map((tx, i) => ({
          MessageId: `m-${i}`,
          ReceiptHandle: `rh-${i}`,
          Body: transactionEnvelopeBody(tx),
        })),
      })
      .resolves({ Messages: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
    sqs.on(DeleteMessageCommand).resolves({});
    const p = platform();
    const started = await p.startRedrive(operator, { queueId: 'processing', messageIds: txs.map((_, i) => `m-${i}`) });
    for (let i = 0; i < 100 && (await p.getRedrive(operator, started.id))?.status === 'RUNNING'; i++)
      await new Promise((r) => setTimeout(r, 10));
    const done = redriveTaskSchema.parse(await p.getRedrive(viewer, started.id));
    expect(done).toMatchObject({ status: 'COMPLETED', moved: 6 });
    // Two of them fail again (new message ids, same transactions); live traffic fails too.
    await deadLetter('m-again-2', 'tx-2', clock + 1_000, 'PoisonMessageError: detail.toAccount: required');
    await deadLetter('m-again-5', 'tx-5', clock + 2_000);
    await deadLetter('m-live', 'tx-live', clock + 2_000);
    clock += OUTCOME_REFRESH_MS;
    expect((await p.getRedrive(viewer, started.id))?.outcome).toMatchObject({
      sent: 6,
      processed: 2,
      applied: 0,
      backInDlq: 2,
      settled: false,
    });
    clock = Date.parse(done.endedAt!) + OUTCOME_SETTLE_MS;
    const settled = await p.getRedrive(viewer, started.id);
    expect(settled?.outcome).toMatchObject({ sent: 6, processed: 6, applied: 4, backInDlq: 2, settled: true });
    expect(settled?.outcome?.basis).toContain('by transaction id');
    expect((await p.listRedrives(viewer, { queueId: 'processing' })).items[0]?.outcome).toEqual(settled?.outcome);
  });

  it('a whole-DLQ redrive counts the DLQ entries since its start, capped at the moved count, as an upper bound', async () => {
    const start = NOW - 60_000;
    await deadLetter('before', 'tx-b', start - 1_000);
    await deadLetter('after-1', 'tx-a1', start + 1_000);
    await deadLetter('after-2', 'tx-a2', start + 2_000, 'PoisonMessageError: detail.toAccount: required');
    await deadLetter('after-3', 'tx-a3', start + 3_000);
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          Status: 'COMPLETED',
          StartedTimestamp: start,
          ApproximateNumberOfMessagesMoved: 5,
          ApproximateNumberOfMessagesToMove: 5,
          SourceArn: testConfig().queuePairs[0]!.dlqArn,
        },
      ],
    });
    const p = platform();
    const [first] = (await p.listRedrives(viewer, { queueId: 'processing' })).items;
    expect(first?.outcome).toMatchObject({ sent: 5, processed: 3, applied: 0, backInDlq: 3, settled: false });
    expect(first?.outcome?.basis).toMatch(/upper bound.*live traffic/);
    for (let i = 0; i < 4; i++) await deadLetter(`later-${i}`, `tx-l${i}`, start + 10_000 + i);
    clock += OUTCOME_REFRESH_MS;
    expect((await p.getRedrive(viewer, first!.id))?.outcome).toMatchObject({ backInDlq: 5, settled: false });
    // SQS reports no end time: the outcome settles OUTCOME_SETTLE_MS after this process first saw it ended.
    clock = NOW + OUTCOME_SETTLE_MS;
    expect((await p.getRedrive(viewer, first!.id))?.outcome).toMatchObject({
      sent: 5,
      processed: 5,
      applied: 0,
      backInDlq: 5,
      settled: true,
    });
  });

  it('past the lookup limit pages the DLQ entries since the start and keeps only the moved transactions', async () => {
    const since = new Date(NOW).toISOString();
    await deadLetter('old', 'tx-0', NOW - 1);
    await deadLetter('again-1', 'tx-1', NOW + 1);
    await deadLetter('again-2', 'tx-2', NOW + 2, 'PoisonMessageError: detail.toAccount: required');
    await deadLetter('live', 'tx-live', NOW + 3);
    const sent = Array.from({ length: TX_LOOKUP_LIMIT + 1 }, (_, i) => `tx-${i}`);
    const found = new Set<string>();
    expect(await transactionsBackSince(directCtx(), 'processing', sent, since, found)).toBe(true);
    expect([...found].sort()).toEqual(['tx-1', 'tx-2']);
  });

  it('has no outcome without the failure index (the console says it is not tracked)', async () => {
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [{ Status: 'COMPLETED', StartedTimestamp: NOW - 1, ApproximateNumberOfMessagesMoved: 1 }],
    });
    const p = createAwsPlatform(testConfig(), {
      redriveStore: testRedriveStore(),
      clientsFor: () => staticClients(),
      now: () => clock,
    });
    expect((await p.listRedrives(viewer, {})).items[0]?.outcome).toBeUndefined();
  });
});

describe('replay outcomes on the aws adapter (failure index on dynalite)', () => {
  const start = NOW - 120_000;
  const end = NOW - 90_000;
  const replay = (name: string, total: number | null, startMs = start, endMs = end) => ({
    ReplayName: name,
    EventSourceArn: testConfig().archive.arn,
    State: 'COMPLETED' as const,
    EventStartTime: new Date(startMs - 3_600_000),
    EventEndTime: new Date(startMs - 1_800_000),
    ReplayStartTime: new Date(startMs),
    ReplayEndTime: new Date(endMs),
    Description: encodeMeta({ by: 'operator-1', pattern: null, total }),
  });

  it('counts the processing DLQ entries since the replay started, capped at the events replayed, settled after the delay', async () => {
    await deadLetter('before', 'tx-b', start - 1);
    for (let i = 0; i < 3; i++) await deadLetter(`r-${i}`, `tx-r${i}`, start + 5_000 + i);
    events.on(DescribeReplayCommand).resolves(replay('ledgerline-staging-replay-1', 10));
    const p = platform();
    const unsettled = replaySchema.parse(await p.getReplay(viewer, 'ledgerline-staging-replay-1'));
    expect(unsettled.outcome).toMatchObject({ sent: 10, processed: 3, applied: 0, backInDlq: 3, settled: false });
    expect(unsettled.outcome?.basis).toMatch(/upper bound.*live traffic.*capped at the 10 events replayed/);
    clock = end + OUTCOME_SETTLE_MS;
    expect((await p.getReplay(viewer, 'ledgerline-staging-replay-1'))?.outcome).toMatchObject({
      sent: 10,
      processed: 10,
      applied: 7,
      backInDlq: 3,
      settled: true,
    });
  });

  it('an unreadable failure index counts nothing and says so, never "0 back"', () => {
    const outcome = unreadOutcome(6, new Error('AccessDenied'));
    expect(outcome).toMatchObject({ uncounted: 'nothing', settled: false });
    expect(outcome.basis).toContain('AccessDenied');
    expect(outcomeText(outcome)).toBe('not counted yet (see its basis)');
  });

  it('says sent is unknown when the number of events replayed is (no archive index)', async () => {
    await deadLetter('r-0', 'tx-r0', start + 5_000);
    events.on(DescribeReplayCommand).resolves(replay('ledgerline-staging-replay-2', null));
    const outcome = (await platform().getReplay(viewer, 'ledgerline-staging-replay-2'))?.outcome;
    expect(outcome).toMatchObject({ uncounted: 'backOnly', backInDlq: 1 });
    expect(outcome?.basis).toContain('unknown');
    // The row never claims "0 applied" for what it cannot count.
    expect(outcomeText(outcome)).toBe('1 back in the DLQ; how many were sent and applied is not known here');
  });

  it('a list page computes at most OUTCOME_LIST_BUDGET outcomes; the next poll adds as many from where it stopped', async () => {
    await deadLetter('r-0', 'tx-r0', start + 5_000);
    const many = Array.from({ length: 12 }, (_, i) => replay(`ledgerline-staging-replay-${i}`, 3));
    events.on(ListReplaysCommand).resolves({ Replays: many });
    for (const r of many) events.on(DescribeReplayCommand, { ReplayName: r.ReplayName }).resolves(r);
    const p = platform();
    const withOutcome = async () =>
      (await p.listReplays(viewer, { limit: 50 })).items.filter((r) => r.outcome !== undefined).length;
    expect(await withOutcome()).toBe(OUTCOME_LIST_BUDGET);
    expect(await withOutcome()).toBe(2 * OUTCOME_LIST_BUDGET);
  });

  it('list pages leave out replays that ended over a day ago; getReplay still computes them', async () => {
    const old = replay('ledgerline-staging-replay-old', 4, NOW - 3 * 86_400_000, NOW - 2 * 86_400_000);
    events.on(ListReplaysCommand).resolves({ Replays: [old] });
    events.on(DescribeReplayCommand).resolves(old);
    const p = platform();
    expect((await p.listReplays(viewer, { limit: 50 })).items[0]?.outcome).toBeUndefined();
    expect((await p.getReplay(viewer, 'ledgerline-staging-replay-old'))?.outcome).toMatchObject({
      sent: 4,
      applied: 4,
      settled: true,
    });
    // Settled once: the list page now shows it from the adapter's cache.
    expect((await p.listReplays(viewer, { limit: 50 })).items[0]?.outcome).toMatchObject({ settled: true });
  });
});

describe('the replay preview reads the failure index (dynalite)', () => {
  const hour = 3_600_000;
  const window = { start: new Date(NOW - 3 * hour).toISOString(), end: new Date(NOW - 1 * hour).toISOString() };
  const poison = 'PoisonMessageError: detail.toAccount: required';

  async function archived(id: string, tx: string, second: number) {
    const time = new Date(Date.parse(window.start) + second * 1000).toISOString();
    const detail = {
      transactionId: tx,
      fromAccount: 'acct-0001',
      toAccount: 'acct-0002',
      amount: 100,
      currency: 'USD',
      createdAt: time,
    };
    const item = {
      ...archiveIndexKey({ id, time }),
      eventId: id,
      time,
      source: 'transaction.processing',
      detailType: 'TransactionSubmitted',
      transactionId: tx,
      detail: JSON.stringify(detail),
    };
    await documentClient().send(new PutCommand({ TableName: testConfig().archiveIndexTable!, Item: item }));
  }

  it('counts an event whose transaction is dead-lettered with a permanent class as will dead-letter again', async () => {
    await archived('e1', 'tx-applied', 1);
    await archived('e2', 'tx-permanent', 2);
    await archived('e3', 'tx-retryable', 3);
    await archived('e4', 'tx-new', 4);
    const key = idempotencyRecordKey('tx-applied');
    const record = { key, status: 'COMPLETED', expiryTime: NOW / 1000 + 3600 };
    await documentClient().send(new PutCommand({ TableName: testConfig().idempotencyTable, Item: record }));
    await deadLetter('m-perm', 'tx-permanent', NOW - 60_000, poison);
    await deadLetter('m-retry', 'tx-retryable', NOW - 60_000);
    const preview = await platform().previewReplay(operator, { archive: testConfig().archive.name, window });
    expect(preview.count).toBe(4);
    expect(preview.classification).toEqual({
      classified: 4,
      alreadyApplied: 1,
      willDeadLetterAgain: 1,
      willApply: 2,
      willStartSagas: 2,
      withoutTransaction: 0,
      sampled: null,
    });
  });

  it('reads at most the limit of permanently failed transactions and reports that it stopped short', async () => {
    for (let i = 0; i < 3; i++) await deadLetter(`m-p${i}`, `tx-p${i}`, NOW - 60_000 + i, poison);
    const ctx = directCtx();
    const cut = await permanentTransactions(ctx, ['processing'], 2);
    expect([cut.ids.size, cut.complete]).toEqual([2, false]);
    const all = await permanentTransactions(ctx, ['processing']);
    expect([[...all.ids].sort(), all.complete]).toEqual([['tx-p0', 'tx-p1', 'tx-p2'], true]);
  });
});
