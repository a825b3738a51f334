/**
 * The archive indexer over a mocked DynamoDB client: the item is the adapter's archive index
 * layout (infra/platform/layout.ts), the put is conditional on the key (which holds the
 * event id), duplicates are no-ops, replays are ignored, real failures surface.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ARCHIVE_INDEX_SHARDS, archiveIndexKey, archiveIndexShard } from '../platform/layout';
import type { ArchivedEvent, IndexOutcome } from './archive-indexer';

const doc = mockClient(DynamoDBDocumentClient);
let handler: (e: ArchivedEvent) => Promise<IndexOutcome>;

const event = (over: Partial<ArchivedEvent> = {}): ArchivedEvent => ({
  version: '0',
  id: 'evt-42',
  source: 'transaction.processing',
  'detail-type': 'TransactionSubmitted',
  account: '111122223333',
  time: '2026-03-05T14:07:09Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    transactionId: 'tx-42',
    fromAccount: 'a',
    toAccount: 'b',
    amount: 500,
    currency: 'EUR',
    createdAt: '2026-03-05T14:07:08Z',
  },
  ...over,
});

beforeAll(async () => {
  Object.assign(process.env, {
    STAGE: 'test',
    ARCHIVE_INDEX_TABLE: 'ledgerline-test-archive-index',
    ARCHIVE_RETENTION_DAYS: '30',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_TRACE_ENABLED: 'false',
    AWS_REGION: 'us-east-1',
  });
  handler = ((await import('./archive-indexer')) as { handler: typeof handler }).handler;
});

beforeEach(() => {
  doc.reset();
  doc.on(PutCommand).resolves({});
});

describe('archive indexer', () => {
  it('writes one item in the archive index layout, conditional on its key, expiring with the archive', async () => {
    expect(await handler(event())).toBe('indexed');
    const input = doc.commandCalls(PutCommand)[0]!.args[0].input;
    expect(input.TableName).toBe('ledgerline-test-archive-index');
    expect(input.ConditionExpression).toBe('attribute_not_exists(pk)');
    const shard = archiveIndexShard('evt-42');
    expect(shard).toBeGreaterThanOrEqual(0);
    expect(shard).toBeLessThan(ARCHIVE_INDEX_SHARDS);
    expect(input.Item).toEqual({
      pk: `2026-03-05T14#${shard}`,
      sk: '2026-03-05T14:07:09.000Z#evt-42',
      eventId: 'evt-42',
      time: '2026-03-05T14:07:09.000Z',
      source: 'transaction.processing',
      detailType: 'TransactionSubmitted',
      transactionId: 'tx-42',
      detail: JSON.stringify(event().detail),
      expiryTime: Date.parse('2026-03-05T14:07:09Z') / 1000 + 30 * 86_400,
    });
    const item = input.Item as { pk: string; sk: string };
    expect({ pk: item.pk, sk: item.sk }).toEqual(archiveIndexKey({ id: 'evt-42', time: '2026-03-05T14:07:09Z' }));
  });

  it('leaves transactionId out when the detail has none', async () => {
    await handler(event({ source: 'payment.validation', 'detail-type': 'PaymentValidated', detail: { check: 'ok' } }));
    const item = doc.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(item).not.toHaveProperty('transactionId');
    expect(item.detailType).toBe('PaymentValidated');
  });

  it('treats an event already indexed (a redelivery) as done', async () => {
    doc.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    expect(await handler(event())).toBe('already-indexed');
  });

  it('ignores replayed events without writing', async () => {
    expect(await handler(event({ 'replay-name': 'ledgerline-test-replay-1' }))).toBe('replay-ignored');
    expect(doc.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('fails the invocation when DynamoDB fails, so EventBridge retries it', async () => {
    doc
      .on(PutCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(handler(event())).rejects.toThrow('throttled');
  });

  it('rejects an event without a valid time instead of indexing it under a wrong hour', async () => {
    await expect(handler(event({ time: 'yesterday' }))).rejects.toThrow(/not a time/);
    expect(doc.commandCalls(PutCommand)).toHaveLength(0);
  });
});
