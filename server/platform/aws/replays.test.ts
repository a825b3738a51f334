import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CancelReplayCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListReplaysCommand,
  StartReplayCommand,
  type DescribeReplayResponse,
} from '@aws-sdk/client-eventbridge';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PowertoolsIdempotencyStore } from '../../../infra/lambda/adapters/powertools-idempotency';
import { ARCHIVE_INDEX_SHARDS, archiveIndexKey, hourBuckets } from '../../../infra/platform/layout';
import { idempotencyRecordKey } from '../../../infra/runtime/idempotency-key';
import { archiveSchema, replayPreviewSchema, replaySchema } from '../platform.schema';
import { callerOf, NOW, testConfig, testPlatform } from './testing';

const events = mockClient(EventBridgeClient);
const ddb = mockClient(DynamoDBDocumentClient);
const rawDdb = mockClient(DynamoDBClient);
const config = testConfig();
const operator = callerOf('operator', 'op-1');
const hour = 3_600_000;
/** A replay under the stage prefix, as the console names them (replay-window.ts replayName). */
const R1 = 'ledgerline-staging-r1';
const window = { start: new Date(NOW - 3 * hour).toISOString(), end: new Date(NOW - 1 * hour).toISOString() };

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
const alreadyExists = (name: string) =>
  Object.assign(new Error(`Replay ${name} already exists.`), {
    name: 'ResourceAlreadyExistsException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });

/** A BatchGetItem on the idempotency table that answers only the keys it holds, like DynamoDB. */
function idempotencyTable(records: { key: string; status: string; expiryTime: number }[]) {
  const byKey = new Map(records.map((r) => [r.key, r]));
  ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { key: string }[] }> }) => ({
    Responses: {
      [config.idempotencyTable]: (input.RequestItems[config.idempotencyTable]?.Keys ?? []).flatMap(
        (k) => byKey.get(k.key) ?? [],
      ),
    },
  }));
}

beforeEach(() => {
  events.reset();
  ddb.reset();
  rawDdb.reset();
  events.on(DescribeArchiveCommand).resolves({
    ArchiveName: config.archive.name,
    ArchiveArn: config.archive.arn,
    EventSourceArn: config.bus.arn,
    State: 'ENABLED',
    RetentionDays: 30,
    SizeBytes: 123_456,
    EventCount: 5000,
    CreationTime: new Date(NOW - 90 * 86_400_000),
  });
});

describe('archives', () => {
  it('maps DescribeArchive to the archive DTO with the ingestion lag', async () => {
    const { platform } = testPlatform();
    const [archive] = await platform.listArchives(callerOf('viewer'));
    expect(archiveSchema.parse(archive)).toEqual({
      name: config.archive.name,
      region: 'us-east-1',
      sourceBus: config.bus.name,
      eventCount: 5000,
      sizeBytes: 123_456,
      retentionDays: 30,
      ingestionLagSeconds: 600,
      oldestEventAt: new Date(NOW - 30 * 86_400_000).toISOString(),
    });
  });
});

describe('replays', () => {
  function replayResponse(
    state: 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED',
    extra: Partial<DescribeReplayResponse> = {},
  ): DescribeReplayResponse {
    return {
      ReplayName: R1,
      ReplayArn: `arn:aws:events:us-east-1:111122223333:replay/r1`,
      Description: 'ledgerline:{"by":"op-1","pattern":null,"total":300}',
      State: state,
      EventSourceArn: config.archive.arn,
      Destination: { Arn: config.bus.arn, FilterArns: config.replayRuleArns },
      EventStartTime: new Date(window.start),
      EventEndTime: new Date(window.end),
      ReplayStartTime: new Date(NOW),
      ...extra,
    };
  }

  it("starts a replay onto the archive's source bus, filtered to the routing rules, recording operator and total", async () => {
    ddb.on(QueryCommand).resolves({ Count: 0 });
    ddb
      .on(QueryCommand, {
        ExpressionAttributeValues: { ':pk': `${hourBuckets(Date.parse(window.start), Date.parse(window.start))[0]}#3` },
      })
      .resolves({ Count: 300 });
    events.on(StartReplayCommand).resolves({ State: 'STARTING' });
    events.on(DescribeReplayCommand).resolves(replayResponse('STARTING'));
    const { platform } = testPlatform();
    const replay = await platform.startReplay(operator, { archive: config.archive.name, window, name: 'r1' });
    const input = events.commandCalls(StartReplayCommand)[0]!.args[0].input;
    expect(input).toEqual({
      ReplayName: R1,
      Description: 'ledgerline:{"by":"op-1","pattern":null,"total":300}',
      EventSourceArn: config.archive.arn,
      EventStartTime: new Date(window.start),
      EventEndTime: new Date(window.end),
      Destination: { Arn: config.bus.arn, FilterArns: config.replayRuleArns },
    });
    expect(replaySchema.parse(replay)).toMatchObject({
      name: R1,
      state: 'STARTING',
      eventsTotal: 300,
      eventsReplayed: 0,
      startedBy: 'op-1',
      window,
    });
  });

  it('reports a started replay as started when reading it back fails, and a retry starts no second one', async () => {
    const { platform } = testPlatform({ ...config, archiveIndexTable: null });
    events.on(StartReplayCommand).resolves({ State: 'STARTING', ReplayStartTime: new Date(NOW) });
    events.on(DescribeReplayCommand).rejects(throttled());
    const replay = await platform.startReplay(operator, { archive: config.archive.name, window });
    const name = events.commandCalls(StartReplayCommand)[0]!.args[0].input.ReplayName!;
    expect(replaySchema.parse(replay)).toMatchObject({
      name,
      archive: config.archive.name,
      state: 'STARTING',
      window,
      startedBy: 'op-1',
      eventsTotal: null,
      startedAt: new Date(NOW).toISOString(),
      stateReason: expect.stringContaining('DescribeReplay: Throttled') as unknown,
    });
    // The operator's console saw success, so nothing calls StartReplay again.
    expect(events.commandCalls(StartReplayCommand)).toHaveLength(1);
  });

  it('treats "already exists" for its own generated name (an SDK retry of a lost answer) as the started replay', async () => {
    const { platform } = testPlatform({ ...config, archiveIndexTable: null });
    events.on(StartReplayCommand).callsFake((input: { ReplayName: string }) => {
      throw alreadyExists(input.ReplayName);
    });
    events.on(DescribeReplayCommand).callsFake((input: { ReplayName: string }) =>
      replayResponse('RUNNING', {
        ReplayName: input.ReplayName,
        Description: 'ledgerline:{"by":"op-1","pattern":null,"total":null}',
      }),
    );
    const replay = await platform.startReplay(operator, { archive: config.archive.name, window });
    expect(replay).toMatchObject({ state: 'RUNNING', startedBy: 'op-1', window });
    expect(replay.name).toBe(events.commandCalls(StartReplayCommand)[0]!.args[0].input.ReplayName);
    expect(events.commandCalls(StartReplayCommand)).toHaveLength(1);
  });

  it('keeps "already exists" a Conflict when the existing replay is not this request, or the caller chose the name', async () => {
    const { platform } = testPlatform({ ...config, archiveIndexTable: null });
    events.on(StartReplayCommand).callsFake((input: { ReplayName: string }) => {
      throw alreadyExists(input.ReplayName);
    });
    // Same generated name but someone else's replay, or another window.
    events.on(DescribeReplayCommand).resolves(replayResponse('RUNNING', { Description: 'ledgerline:{"by":"op-2"}' }));
    await expect(platform.startReplay(operator, { archive: config.archive.name, window })).rejects.toMatchObject({
      code: 'Conflict',
    });
    events.on(DescribeReplayCommand).resolves(replayResponse('RUNNING', { EventEndTime: new Date(NOW - 2 * hour) }));
    await expect(platform.startReplay(operator, { archive: config.archive.name, window })).rejects.toMatchObject({
      code: 'Conflict',
    });
    // A name the caller chose that already exists is their duplicate, even if it matches.
    events.on(DescribeReplayCommand).resolves(replayResponse('RUNNING'));
    await expect(
      platform.startReplay(operator, { archive: config.archive.name, window, name: 'r1' }),
    ).rejects.toMatchObject({ code: 'Conflict' });
    // Cannot read it back: say so instead of guessing either way.
    events.on(DescribeReplayCommand).rejects(throttled());
    await expect(platform.startReplay(operator, { archive: config.archive.name, window })).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringContaining('before starting another') as unknown,
    });
  });

  it('refuses windows inside the ingestion lag or beyond the idempotency horizon, naming the field', async () => {
    const { platform } = testPlatform();
    await expect(
      platform.startReplay(operator, {
        archive: config.archive.name,
        window: { start: window.start, end: new Date(NOW - 60_000).toISOString() },
      }),
    ).rejects.toMatchObject({ code: 'Invalid', field: 'window.end' });
    await expect(
      platform.startReplay(operator, {
        archive: config.archive.name,
        window: { start: new Date(NOW - 49 * hour).toISOString(), end: window.end },
      }),
    ).rejects.toMatchObject({ code: 'Invalid', field: 'window.start' });
    expect(events.commandCalls(StartReplayCommand)).toHaveLength(0);
  });

  it('refuses a pattern that narrows the replay, which EventBridge cannot filter, and accepts one that covers everything', async () => {
    const { platform } = testPlatform({ ...config, archiveIndexTable: null });
    await expect(
      platform.startReplay(operator, {
        archive: config.archive.name,
        window,
        pattern: { source: ['payment.validation'] },
      }),
    ).rejects.toMatchObject({ code: 'Invalid', field: 'pattern.source' });
    events.on(StartReplayCommand).resolves({});
    events.on(DescribeReplayCommand).resolves(replayResponse('STARTING', { Description: undefined }));
    await platform.startReplay(operator, {
      archive: config.archive.name,
      window,
      pattern: { source: ['transaction.processing', 'payment.validation'] },
    });
    const input = events.commandCalls(StartReplayCommand)[0]!.args[0].input;
    expect(input.ReplayName).toMatch(/^ledgerline-staging-replay-\d{8}T\d{6}-id1$/);
    // Without the archive index the total is unknown.
    expect(input.Description).toBe(
      'ledgerline:{"by":"op-1","pattern":{"source":["transaction.processing","payment.validation"]},"total":null}',
    );
  });

  it('reports progress from EventLastReplayedTime and the recorded total', async () => {
    const halfway = new Date(Date.parse(window.start) + hour);
    events.on(DescribeReplayCommand).resolves(replayResponse('RUNNING', { EventLastReplayedTime: halfway }));
    const { platform } = testPlatform();
    const replay = await platform.getReplay(callerOf('viewer'), R1);
    expect(replay).toMatchObject({
      state: 'RUNNING',
      lastReplayedTime: halfway.toISOString(),
      eventsReplayed: 150,
      eventsTotal: 300,
    });
    events
      .on(DescribeReplayCommand)
      .rejects(Object.assign(new Error('no such replay'), { name: 'ResourceNotFoundException', $metadata: {} }));
    expect(await platform.getReplay(callerOf('viewer'), 'nope')).toBeNull();
  });

  it('lists replays of the archive with the ListReplays token as cursor, describing each once it is final', async () => {
    events.on(ListReplaysCommand).resolves({
      Replays: [
        {
          ReplayName: R1,
          State: 'COMPLETED',
          EventSourceArn: config.archive.arn,
          EventStartTime: new Date(window.start),
          EventEndTime: new Date(window.end),
          ReplayStartTime: new Date(NOW),
          ReplayEndTime: new Date(NOW + 60_000),
        },
      ],
      NextToken: 'next',
    });
    events.on(DescribeReplayCommand).resolves(replayResponse('COMPLETED'));
    const { platform } = testPlatform();
    const page = await platform.listReplays(callerOf('viewer'), { limit: 20, cursor: 'prev' });
    expect(page.nextCursor).toBe('next');
    expect(page.items[0]).toMatchObject({
      name: R1,
      state: 'COMPLETED',
      eventsReplayed: 300,
      startedBy: 'op-1',
      endedAt: new Date(NOW + 60_000).toISOString(),
    });
    expect(events.commandCalls(ListReplaysCommand)[0]!.args[0].input).toEqual({
      EventSourceArn: config.archive.arn,
      Limit: 20,
      NextToken: 'prev',
    });
    await platform.listReplays(callerOf('viewer'), { limit: 20 });
    expect(events.commandCalls(DescribeReplayCommand)).toHaveLength(1);
  });

  it('cancels a replay and maps an illegal state to Conflict', async () => {
    events.on(CancelReplayCommand).resolves({ State: 'CANCELLING' });
    events.on(DescribeReplayCommand).resolves(replayResponse('CANCELLING'));
    const { platform } = testPlatform();
    expect(await platform.cancelReplay(operator, R1)).toMatchObject({ state: 'CANCELLING' });
    events
      .on(CancelReplayCommand)
      .rejects(Object.assign(new Error('Replay r1 is not running'), { name: 'IllegalStatusException', $metadata: {} }));
    await expect(platform.cancelReplay(operator, R1)).rejects.toMatchObject({ code: 'Conflict' });
  });
});

describe('replay preview', () => {
  it('does not know other archives', async () => {
    const { platform } = testPlatform();
    await expect(platform.previewReplay(operator, { archive: 'no-such-archive', window })).rejects.toMatchObject({
      code: 'NotFound',
      field: 'archive',
    });
    await expect(platform.startReplay(operator, { archive: 'no-such-archive', window })).rejects.toMatchObject({
      code: 'NotFound',
      field: 'archive',
    });
    expect(events.calls()).toHaveLength(0);
  });

  it('is Unavailable, with the reason, when the stack has no archive index', async () => {
    const { platform } = testPlatform(testConfig({ archiveIndexTable: null }));
    await expect(platform.previewReplay(operator, { archive: config.archive.name, window })).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringContaining('archive index') as unknown,
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('counts matching events per hour and shard, samples the first ones and checks them against idempotency records', async () => {
    const e1 = { id: 'e1', time: new Date(Date.parse(window.start) + 1000).toISOString() };
    const e2 = { id: 'e2', time: new Date(Date.parse(window.start) + 2000).toISOString() };
    const item = (e: { id: string; time: string }, tx: string) => ({
      ...archiveIndexKey(e),
      eventId: e.id,
      time: e.time,
      source: 'transaction.processing',
      detailType: 'TransactionSubmitted',
      transactionId: tx,
      detail: '{}',
    });
    ddb.on(QueryCommand, { Select: 'COUNT' }).resolves({ Count: 2 });
    ddb.on(QueryCommand, { Select: 'ALL_ATTRIBUTES' }).resolves({ Items: [] });
    ddb
      .on(QueryCommand, { Select: 'ALL_ATTRIBUTES', ExpressionAttributeValues: { ':pk': archiveIndexKey(e2).pk } })
      .resolves({ Items: [item(e2, 'tx-2')] });
    ddb
      .on(QueryCommand, { Select: 'ALL_ATTRIBUTES', ExpressionAttributeValues: { ':pk': archiveIndexKey(e1).pk } })
      .resolves({ Items: [item(e1, 'tx-1')] });
    idempotencyTable([
      { key: idempotencyRecordKey('tx-1'), status: 'COMPLETED', expiryTime: NOW / 1000 + 3600 },
      { key: idempotencyRecordKey('tx-2'), status: 'COMPLETED', expiryTime: NOW / 1000 - 1 },
    ]);
    const { platform } = testPlatform();
    const preview = await platform.previewReplay(operator, {
      archive: config.archive.name,
      window,
      pattern: { source: ['transaction.processing'] },
    });
    expect(replayPreviewSchema.parse(preview)).toMatchObject({
      sampleAlreadyApplied: 1,
      idempotencyHorizon: new Date(NOW - 48 * hour).toISOString(),
    });
    expect(ddb.commandCalls(BatchGetCommand)[0]!.args[0].input.RequestItems![config.idempotencyTable]!.Keys).toEqual([
      { key: idempotencyRecordKey('tx-1') },
      { key: idempotencyRecordKey('tx-2') },
    ]);
    const buckets = hourBuckets(Date.parse(window.start), Date.parse(window.end)).length;
    expect(preview.count).toBe(2 * buckets * ARCHIVE_INDEX_SHARDS);
    expect(preview.sample.map((e) => e.id)).toEqual(['e1', 'e2']);
    const count = ddb.commandCalls(QueryCommand).find((c) => c.args[0].input.Select === 'COUNT')!.args[0].input;
    expect(count).toMatchObject({
      TableName: config.archiveIndexTable,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      FilterExpression: '#source IN (:s0)',
      ExpressionAttributeValues: {
        ':from': window.start,
        ':to': `${window.end}#\uffff`,
        ':s0': 'transaction.processing',
      },
    });
  });
  it('counts a sample transaction as applied when the processor stored its record through Powertools', async () => {
    // What the processor's Powertools store really writes for tx-1.
    rawDdb.on(PutItemCommand).resolves({});
    await new PowertoolsIdempotencyStore({ tableName: config.idempotencyTable, ttlHours: 48 }).claim(
      'tx-1',
      0,
      Date.now(),
    );
    const storedKey = rawDdb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!.key!.S!;
    expect(storedKey).not.toBe('tx-1');
    const t = new Date(NOW - 2 * hour).toISOString();
    const item = {
      ...archiveIndexKey({ id: 'e1', time: t }),
      eventId: 'e1',
      time: t,
      source: 'transaction.processing',
      detailType: 'TransactionSubmitted',
      transactionId: 'tx-1',
      detail: '{}',
    };
    ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string>; Select: string }) => {
      const hit = input.ExpressionAttributeValues[':pk'] === item.pk;
      return input.Select === 'COUNT' ? { Count: hit ? 1 : 0 } : { Items: hit ? [item] : [] };
    });
    idempotencyTable([{ key: storedKey, status: 'COMPLETED', expiryTime: NOW / 1000 + 3600 }]);
    const { platform } = testPlatform();
    const preview = await platform.previewReplay(operator, { archive: config.archive.name, window });
    expect(preview.count).toBe(1);
    expect(preview.sample.map((e) => e.transactionId)).toEqual(['tx-1']);
    expect(preview.sampleAlreadyApplied).toBe(1);
  });
});

describe('what an EventBridge replay can and cannot do (issue 19)', () => {
  it('refuses a rate and the dead-letter filter, naming the field, and starts nothing', async () => {
    const { platform } = testPlatform();
    const archive = config.archive.name;
    await expect(platform.startReplay(operator, { archive, window, rate: 50 })).rejects.toMatchObject({
      code: 'Invalid',
      field: 'rate',
      message: expect.stringContaining('no rate') as unknown,
    });
    await expect(platform.startReplay(operator, { archive, window, excludeDeadLettered: true })).rejects.toMatchObject({
      code: 'Invalid',
      field: 'excludeDeadLettered',
    });
    expect(events.calls()).toHaveLength(0);
  });

  it('classifies every event of a small window: applied, poison (will dead-letter again) and will apply', async () => {
    const at = (s: number) => new Date(Date.parse(window.start) + s * 1000).toISOString();
    const detail = (tx: string, amount: number | string) =>
      JSON.stringify({
        transactionId: tx,
        fromAccount: 'acct-0001',
        toAccount: 'acct-0002',
        amount,
        currency: 'USD',
        createdAt: at(0),
      });
    const items = [
      ['e1', 'tx-applied', detail('tx-applied', 100)],
      ['e2', 'tx-poison', detail('tx-poison', 'twelve')],
      ['e3', 'tx-new', detail('tx-new', 200)],
    ].map(([id, tx, d], i) => ({
      ...archiveIndexKey({ id: id!, time: at(i + 1) }),
      eventId: id,
      time: at(i + 1),
      source: 'transaction.processing',
      detailType: 'TransactionSubmitted',
      transactionId: tx,
      detail: d,
    }));
    ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string>; Select: string }) => {
      const hits = items.filter((it) => it.pk === input.ExpressionAttributeValues[':pk']);
      return input.Select === 'COUNT' ? { Count: hits.length } : { Items: hits };
    });
    idempotencyTable([{ key: idempotencyRecordKey('tx-applied'), status: 'COMPLETED', expiryTime: NOW / 1000 + 3600 }]);
    const { platform } = testPlatform();
    const preview = await platform.previewReplay(operator, { archive: config.archive.name, window });
    expect(preview.count).toBe(3);
    expect(preview.classification).toMatchObject({
      classified: 3,
      alreadyApplied: 1,
      willDeadLetterAgain: 1,
      willApply: 1,
    });
    expect(preview.supports).toMatchObject({ excludeDeadLettered: false, rate: false });
  });
});
