import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredRedrive } from '../redrive-store';
import { startConsoleDynamo, type ConsoleDynamo } from '../testing/console-dynamo';
import { documentClient } from './client';
import { DynamoRedriveStore, TX_PER_CHUNK } from './redrive-store';

/**
 * What only the DynamoDB adapter has to prove (the shared behaviour is in state-contract-redrives.ts):
 * a selected redrive's 10,000 moved ids fit, though one item cannot hold them. dynalite refuses an
 * item over 400 KB as DynamoDB does, which the first assertion shows.
 */
const T0 = Date.parse('2026-11-26T03:00:00Z');
const ID = 'payments:selected:huge';

const run = (): StoredRedrive => ({
  id: ID,
  queueId: 'payments',
  sourceArn: 'arn:aws:sqs:eu-west-1:123456789012:ledgerline-dev-payments-dlq',
  region: 'eu-west-1',
  createdAtMs: T0,
  startedBy: 'u-op',
  startedAtMs: null,
  requestedAtMs: null,
  acceptedAtMs: null,
  depthBefore: null,
  selected: {
    status: 'RUNNING',
    moved: 0,
    total: 10_000,
    rate: null,
    selection: 'selected',
    classIds: null,
    endedAtMs: null,
    failureReason: null,
    heartbeatAtMs: T0,
    holdSeconds: 300,
    movedTransactions: [],
  },
});

describe('dynamodb: redrive records of 10,000 moved ids', () => {
  let server: ConsoleDynamo;
  beforeEach(async () => {
    server = await startConsoleDynamo();
  });
  afterEach(async () => {
    await server.close();
  });

  it('stores 10,000 ids of 40 characters in chunks under the item limit, and reads them back in order', async () => {
    const doc = documentClient(server.config().client);
    const ids = Array.from({ length: 10_000 }, (_, i) => `${String(i).padStart(8, '0')}-${'x'.repeat(31)}`);
    expect(ids.every((t) => t.length === 40)).toBe(true);
    await expect(
      doc.send(new PutCommand({ TableName: server.stateTable, Item: { pk: 'one-item', sk: 'all', tx: ids } })),
    ).rejects.toThrow(/size/i);

    const store = new DynamoRedriveStore(doc, server.stateTable);
    await store.create(run());
    const half = await store.progress(ID, {
      moved: 5_000,
      heartbeatAtMs: T0 + 1_000,
      movedTransactions: ids.slice(0, 5_000),
      changedFrom: 0,
    });
    expect(half?.selected?.movedTransactions).toHaveLength(5_000);
    expect(
      await store.finish(ID, {
        status: 'COMPLETED',
        moved: 10_000,
        endedAtMs: T0 + 2_000,
        failureReason: null,
        movedTransactions: ids,
        changedFrom: 5_000,
      }),
    ).toBe(true);

    // Read by another task (its own client and store).
    const other = new DynamoRedriveStore(documentClient(server.config().client), server.stateTable);
    const read = await other.get(ID);
    expect(read?.selected).toMatchObject({ status: 'COMPLETED', moved: 10_000 });
    expect(read?.selected?.movedTransactions).toStrictEqual(ids);

    const items = await doc.send(
      new QueryCommand({
        TableName: server.stateTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `redrive#${ID}` },
      }),
    );
    const stored = (items.Items ?? []) as { sk: string; ttl: number }[];
    expect(stored.map((i) => i.sk)).toEqual([
      ...Array.from({ length: 10_000 / TX_PER_CHUNK }, (_, c) => `moved#${String(c).padStart(4, '0')}`),
      'redrive',
    ]);
    expect(stored.find((i) => i.sk === 'redrive')).not.toHaveProperty('tx');
    // Every item expires with the record, 30 days after it was made.
    expect(new Set(stored.map((i) => i.ttl))).toEqual(new Set([T0 / 1000 + 30 * 86_400]));
  });
});
