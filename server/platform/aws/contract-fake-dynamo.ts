import 'server-only';
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ARCHIVE_RETENTION_DAYS, detailTypes, eventSources } from '../../../infra/platform/description';
import { archiveIndexKey, LEDGER } from '../../../infra/platform/layout';
import { idempotencyRecordKey } from '../../../infra/runtime/idempotency-key';
import type { AwsPlatformConfig } from './config';

/**
 * The stack's DynamoDB tables for the contract harness on a DynamoDB-compatible server started in
 * the process (dynalite: its Scan filters, Query key conditions and BatchGetItem are real, not
 * mocked): the ledger (accounts, holds, expected total), the archive index and the idempotency
 * records of the transactions already applied.
 */

type Dynalite = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

export interface FakeDynamo {
  endpoint: string;
  close(): Promise<void>;
}

export interface ArchivedEventSeed {
  id: string;
  time: string;
  source: string;
  detailType: string;
  transactionId: string;
}

async function createTable(client: DynamoDBClient, name: string, keys: [string, string?]): Promise<void> {
  const [hash, range] = keys;
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [hash, range]
        .filter((k): k is string => !!k)
        .map((k) => ({ AttributeName: k, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: hash, KeyType: 'HASH' },
        ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : []),
      ],
    }),
  );
}

async function putAll(doc: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let pending = { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) };
    while (pending[table]?.length) {
      const res = await doc.send(new BatchWriteCommand({ RequestItems: pending }));
      pending = (res.UnprocessedItems ?? {}) as typeof pending;
    }
  }
}

/** Archived events of the last `hours`, one every `everyMs`, with transaction ids `tx-<n>`. */
export function archivedEvents(now: number, hours: number, everyMs: number): ArchivedEventSeed[] {
  const out: ArchivedEventSeed[] = [];
  for (let t = now - hours * 3_600_000, n = 0; t < now; t += everyMs, n++) {
    out.push({
      id: `evt-${n.toString().padStart(5, '0')}`,
      time: new Date(t).toISOString(),
      source: eventSources[n % eventSources.length]!,
      detailType: detailTypes[n % detailTypes.length]!,
      transactionId: `tx-${n}`,
    });
  }
  return out;
}

export async function startFakeDynamo(
  config: AwsPlatformConfig,
  seed: { events: ArchivedEventSeed[]; applied: string[]; accounts: number },
): Promise<FakeDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    region: config.region,
    endpoint,
    credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
  });
  const doc = DynamoDBDocumentClient.from(client);
  const ledger = config.ledgerTable ?? 'ledger';
  const index = config.archiveIndexTable ?? 'archive-index';
  await createTable(client, ledger, ['pk', 'sk']);
  await createTable(client, index, ['pk', 'sk']);
  await createTable(client, config.idempotencyTable, ['key']);
  const balances = Array.from({ length: seed.accounts }, (_, i) => 100_000 + i * 1_000);
  await putAll(doc, ledger, [
    ...balances.map((balance, i) => ({
      pk: `${LEDGER.accountPrefix}acc-${i}`,
      sk: LEDGER.accountSk,
      balance,
      held: i === 0 ? 2_500 : 0,
      currency: 'EUR',
    })),
    { pk: `${LEDGER.holdPrefix}tx-held`, sk: LEDGER.holdSk, account: 'acc-0', amount: 2_500, state: 'HELD' },
    { pk: `${LEDGER.holdPrefix}tx-released`, sk: LEDGER.holdSk, account: 'acc-1', amount: 900, state: 'RELEASED' },
    { ...LEDGER.totalKey, expectedTotal: balances.reduce((a, b) => a + b, 0) },
  ]);
  const expiry = (time: string) => Math.floor(Date.parse(time) / 1000) + ARCHIVE_RETENTION_DAYS * 86_400;
  await putAll(
    doc,
    index,
    seed.events.map((e) => ({
      ...archiveIndexKey(e),
      eventId: e.id,
      time: e.time,
      source: e.source,
      detailType: e.detailType,
      transactionId: e.transactionId,
      detail: JSON.stringify({ transactionId: e.transactionId, amount: 1_000, currency: 'EUR' }),
      expiryTime: expiry(e.time),
    })),
  );
  const inTwoDays = Math.floor(Date.now() / 1000) + 2 * 86_400;
  await putAll(
    doc,
    config.idempotencyTable,
    seed.applied.map((id) => ({ key: idempotencyRecordKey(id), status: 'COMPLETED', expiryTime: inTwoDays })),
  );
  client.destroy();
  return {
    endpoint,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
