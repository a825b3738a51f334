/**
 * The DynamoDB ledger: request shapes (one TransactWriteItems per money movement, the
 * conditions that make it happen at most once) and the mapping of DynamoDB's answers.
 */
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from './dynamodb-ledger';

const doc = mockClient(DynamoDBDocumentClient);
const ledger = new DynamoDbLedgerStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  'ledger',
);
const transfer = { fromAccount: 'a', toAccount: 'b', amount: 500, currency: 'EUR' };

beforeEach(() => {
  doc.reset();
  doc.on(GetCommand).resolves({});
  doc.on(TransactWriteCommand).resolves({});
});

type Item = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
const items = () => doc.commandCalls(TransactWriteCommand).flatMap((c) => c.args[0].input.TransactItems ?? []);
/** Net change of `balance` over the account updates of one transaction (must be 0). */
function netBalanceChange(list: Item[]): number {
  return list.reduce((sum, i) => {
    const u = i.Update;
    if (!u || !String(u.Key?.pk).startsWith('ACCOUNT#')) return sum;
    const m = /balance = balance ([+-]) :a/.exec(u.UpdateExpression ?? '');
    if (!m) return sum;
    const a = Number(u.ExpressionAttributeValues?.[':a']);
    return sum + (m[1] === '+' ? a : -a);
  }, 0);
}

describe('DynamoDB ledger', () => {
  it('places a hold and reserves the funds in one transaction conditioned on availability', async () => {
    const r = await ledger.placeHold('tx-1', 'a', 500, 'EUR', 1);
    expect(r).toEqual({
      ok: true,
      hold: { transactionId: 'tx-1', account: 'a', amount: 500, currency: 'EUR', state: 'HELD' },
      alreadyDone: false,
    });
    const [put, update] = items();
    expect(put!.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    // The console's ledger summary (server/platform/aws/layout.ts) reads holds at HOLD#<tx> / HOLD.
    expect(put!.Put?.Item).toMatchObject({ pk: 'HOLD#tx-1', sk: 'HOLD', account: 'a', amount: 500, state: 'HELD' });
    expect(update!.Update?.ConditionExpression).toContain('available >= :a');
    expect(update!.Update?.UpdateExpression).toBe('SET held = held + :a, available = available - :a');
  });

  it('answers insufficient funds with the available amount when the account condition fails', async () => {
    doc.on(TransactWriteCommand).rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {} }));
    doc.on(GetCommand, { Key: { pk: 'ACCOUNT#a', sk: 'ACCOUNT' } }).resolves({ Item: { available: 120 } });
    expect(await ledger.placeHold('tx-2', 'a', 500, 'EUR', 1)).toEqual({ ok: false, available: 120 });
  });

  it('returns the existing hold without writing when the step runs again', async () => {
    doc
      .on(GetCommand, { Key: { pk: 'HOLD#tx-3', sk: 'HOLD' } })
      .resolves({ Item: { account: 'a', amount: 500, currency: 'EUR', state: 'HELD' } });
    const r = await ledger.placeHold('tx-3', 'a', 500, 'EUR', 1);
    expect(r).toMatchObject({ ok: true, alreadyDone: true });
    expect(doc.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('posts by debiting one account and crediting the other in the same transaction (money conserved)', async () => {
    const r = await ledger.post('tx-4', transfer, 2);
    expect(r.entry).toMatchObject({ kind: 'POST', debitAccount: 'a', creditAccount: 'b', amount: 500 });
    const list = items();
    expect(list).toHaveLength(4);
    expect(list[0]!.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(list[1]!.Update?.ConditionExpression).toContain('#s = :held');
    expect(netBalanceChange(list)).toBe(0);
  });

  it('reverses a post with the opposite movement, also conserving money', async () => {
    doc
      .on(GetCommand, { Key: { pk: 'TX#tx-5', sk: 'JOURNAL#POST' } })
      .resolves({ Item: { debitAccount: 'a', creditAccount: 'b', amount: 500, currency: 'EUR', postedAt: 2 } });
    const r = await ledger.reverse('tx-5', 3);
    expect(r?.entry).toMatchObject({ kind: 'REVERSE', debitAccount: 'b', creditAccount: 'a', amount: 500 });
    expect(netBalanceChange(items())).toBe(0);
    expect(items()[1]!.Update?.ConditionExpression).toContain('#s = :captured');
  });

  it('reverses nothing when nothing was posted', async () => {
    expect(await ledger.reverse('tx-6', 3)).toBeNull();
    expect(doc.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('records a settlement once and returns the first one on a retry', async () => {
    doc.on(PutCommand).rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));
    doc
      .on(GetCommand, { Key: { pk: 'TX#tx-7', sk: 'SETTLEMENT' } })
      .resolves({ Item: { reference: 'stl-tx-7', state: 'SETTLED' } });
    expect(await ledger.recordSettlement('tx-7', 'stl-tx-7', 4)).toEqual({
      settlement: { transactionId: 'tx-7', reference: 'stl-tx-7', state: 'SETTLED' },
      alreadyDone: true,
    });
  });
});
