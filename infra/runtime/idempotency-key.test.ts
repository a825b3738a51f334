import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { PowertoolsIdempotencyStore } from '../lambda/adapters/powertools-idempotency';
import { idempotencyRecordKey } from './idempotency-key';

const dynamodb = mockClient(DynamoDBClient);
afterEach(() => dynamodb.reset());

/** The `key` attribute the processor's Powertools store really writes when it claims a transaction. */
async function keyPowertoolsStores(transactionId: string): Promise<string> {
  dynamodb.reset();
  dynamodb.on(PutItemCommand).resolves({});
  const store = new PowertoolsIdempotencyStore({ tableName: 'idempotency', ttlHours: 48 });
  await store.claim(transactionId, 0, Date.now());
  const put = dynamodb.commandCalls(PutItemCommand);
  expect(put).toHaveLength(1);
  const key = put[0]!.args[0].input.Item?.key?.S;
  expect(typeof key).toBe('string');
  return key!;
}

describe('idempotencyRecordKey', () => {
  it.each(['tx-1', 'TX_2026-11-26_000042', 'tx "quoted" \\ with ünïcode and spaces'])(
    'equals the key Powertools stores for transaction %j',
    async (transactionId) => {
      expect(idempotencyRecordKey(transactionId)).toBe(await keyPowertoolsStores(transactionId));
    },
  );

  it('is the prefixed base64 sha256 of the JSON-encoded id, never the raw id, and differs per transaction', () => {
    const key = idempotencyRecordKey('tx-1');
    expect(key).toMatch(/^transaction#[A-Za-z0-9+/]{43}=$/);
    expect(key).not.toContain('tx-1');
    expect(idempotencyRecordKey('tx-2')).not.toBe(key);
  });
});
