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
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StepDeps } from '../../runtime/ports';
import { runCompensation, runStep } from '../../runtime/saga-steps';
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

/**
 * DynamoDB's answer to a cancelled TransactWriteItems: one reason per item in request order,
 * Code "None" for the items without error (CancellationReason of @aws-sdk/client-dynamodb).
 */
function cancelledWith(codes: string[]) {
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => (Code === 'None' ? { Code } : { Code, Message: Code })),
  });
}
/** `code` on item `index` of a transaction of `items` items, None on the others. */
const reasonOn = (index: number, items: number, code: string) =>
  cancelledWith(Array.from({ length: items }, (_, i) => (i === index ? code : 'None')));

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
    // The console's ledger summary (infra/platform/layout.ts) reads holds at HOLD#<tx> / HOLD.
    expect(put!.Put?.Item).toMatchObject({ pk: 'HOLD#tx-1', sk: 'HOLD', account: 'a', amount: 500, state: 'HELD' });
    expect(update!.Update?.ConditionExpression).toContain('available >= :a');
    expect(update!.Update?.UpdateExpression).toBe('SET held = held + :a, available = available - :a');
  });

  it("answers insufficient funds with the available amount when the account's condition failed", async () => {
    doc.on(TransactWriteCommand).rejects(reasonOn(1, 2, 'ConditionalCheckFailed'));
    doc
      .on(GetCommand, { Key: { pk: 'ACCOUNT#a', sk: 'ACCOUNT' } })
      .resolves({ Item: { available: 120, currency: 'EUR' } });
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
    doc.on(UpdateCommand).rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));
    doc
      .on(GetCommand, { Key: { pk: 'TX#tx-7', sk: 'SETTLEMENT' } })
      .resolves({ Item: { reference: 'stl-tx-7', state: 'SETTLED' } });
    expect(await ledger.recordSettlement('tx-7', 'stl-tx-7', 4)).toEqual({
      settlement: { transactionId: 'tx-7', reference: 'stl-tx-7', state: 'SETTLED' },
      alreadyDone: true,
    });
  });

  it('records a settlement PENDING before the network is asked, then SETTLED only from PENDING or absent', async () => {
    doc.on(PutCommand).resolves({});
    doc.on(UpdateCommand).resolves({});
    expect(await ledger.beginSettlement('tx-8', 4)).toEqual({ transactionId: 'tx-8', reference: '', state: 'PENDING' });
    const put = doc.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.Item).toMatchObject({ pk: 'TX#tx-8', sk: 'SETTLEMENT', state: 'PENDING' });
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(await ledger.recordSettlement('tx-8', 'stl-tx-8', 5)).toMatchObject({ alreadyDone: false });
    const update = doc.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.ConditionExpression).toBe('attribute_not_exists(pk) OR #s = :pending');
    expect(update.ExpressionAttributeValues).toMatchObject({ ':settled': 'SETTLED', ':ref': 'stl-tx-8' });
  });

  it('voids a settlement that was never recorded by writing a VOIDED marker, so a late SettlePayment cannot settle', async () => {
    doc.on(PutCommand).resolves({});
    expect(await ledger.voidSettlement('tx-9', 6)).toEqual({ transactionId: 'tx-9', reference: '', state: 'VOIDED' });
    const put = doc.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.Item).toMatchObject({ pk: 'TX#tx-9', sk: 'SETTLEMENT', state: 'VOIDED', reference: '' });
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
  });
});

const saga: StepDeps = {
  ledger,
  downstream: {
    settle: () => Promise.reject(new Error('the payment network is not part of these cases')),
    voidSettlement: () => Promise.reject(new Error('the payment network is not part of these cases')),
    notify: () => Promise.reject(new Error('the payment network is not part of these cases')),
  },
  now: () => 1,
};
const tx = {
  transactionId: 'tx-1',
  fromAccount: 'a',
  toAccount: 'merchant',
  amount: 500,
  currency: 'EUR',
  createdAt: '2026-01-01T00:00:00.000Z',
};
const ctx = { sagaId: 'tx-1', transaction: tx, attempt: 1 };
const outcome = (p: Promise<unknown>) =>
  p.then(
    (value) => ({ value }),
    (e: unknown) => ({ error: { name: (e as Error).name, message: (e as Error).message } }),
  );
const hold = (state: string) =>
  doc
    .on(GetCommand, { Key: { pk: 'HOLD#tx-1', sk: 'HOLD' } })
    .resolves({ Item: { account: 'a', amount: 500, currency: 'EUR', state } });

describe('DynamoDB ledger when a transaction is cancelled by contention, not by a condition', () => {
  for (const code of ['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']) {
    it(`answers ReserveFunds with a retryable TransientError, not insufficient funds, on ${code} over an account that has enough`, async () => {
      doc.on(TransactWriteCommand).rejects(reasonOn(1, 2, code));
      doc
        .on(GetCommand, { Key: { pk: 'ACCOUNT#a', sk: 'ACCOUNT' } })
        .resolves({ Item: { available: 10_000, currency: 'EUR' } });
      const r = await outcome(Promise.resolve(runStep('ReserveFunds', ctx, saga)));
      expect(r).toMatchObject({ error: { name: 'TransientError' } });
      expect((r as { error: { message: string } }).error.message).toContain(`${code} on item 1`);
    });
  }

  it('answers PostLedger with a retryable TransientError, not a permanent failure, when the credited account is busy', async () => {
    doc.on(TransactWriteCommand).rejects(reasonOn(3, 4, 'TransactionConflict'));
    const r = await outcome(Promise.resolve(runStep('PostLedger', ctx, saga)));
    expect(r).toMatchObject({ error: { name: 'TransientError' } });
  });

  it('fails PostLedger for good only when its conditions failed (no HELD hold)', async () => {
    doc.on(TransactWriteCommand).rejects(reasonOn(1, 4, 'ConditionalCheckFailed'));
    const r = await outcome(Promise.resolve(runStep('PostLedger', ctx, saga)));
    expect(r).toMatchObject({ error: { name: 'PermanentError' } });
  });

  it('treats a cancellation that mixes a failed condition with a conflict as contention (retryable)', async () => {
    doc.on(TransactWriteCommand).rejects(cancelledWith(['ConditionalCheckFailed', 'TransactionConflict']));
    const r = await outcome(Promise.resolve(runStep('ReserveFunds', ctx, saga)));
    expect(r).toMatchObject({ error: { name: 'TransientError' } });
  });

  it('fails ReleaseFunds retryably instead of reporting a hold released while it is still HELD', async () => {
    hold('HELD');
    doc.on(TransactWriteCommand).rejects(reasonOn(1, 2, 'TransactionConflict'));
    const r = await outcome(Promise.resolve(runCompensation('ReleaseFunds', ctx, saga)));
    expect(r).toMatchObject({ error: { name: 'TransientError' } });
  });

  it('fails ReleaseFunds retryably when its condition failed but the hold reads HELD again', async () => {
    hold('HELD');
    doc.on(TransactWriteCommand).rejects(reasonOn(0, 2, 'ConditionalCheckFailed'));
    const r = await outcome(Promise.resolve(runCompensation('ReleaseFunds', ctx, saga)));
    expect(r).toMatchObject({ error: { name: 'TransientError' } });
  });
});

describe('DynamoDB ledger compensations and decided transactions (as the SQLite ledger)', () => {
  it('refuses ReleaseFunds over a CAPTURED hold without writing (the ledger must be reversed first)', async () => {
    hold('CAPTURED');
    const r = await outcome(Promise.resolve(runCompensation('ReleaseFunds', ctx, saga)));
    expect(r).toMatchObject({ error: { name: 'PermanentError' } });
    expect(JSON.stringify(r)).toContain('reverse the ledger first');
    expect(doc.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('leaves a RELEASED marker of amount 0 when ReleaseFunds finds no hold', async () => {
    doc.on(PutCommand).resolves({});
    const r = await runCompensation('ReleaseFunds', ctx, saga);
    expect(r).toEqual({ released: 0, state: 'RELEASED', hadHold: false });
    const put = doc.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.Item).toMatchObject({ pk: 'HOLD#tx-1', sk: 'HOLD', account: 'a', amount: 0, state: 'RELEASED' });
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('releases the hold a racing ReserveFunds placed between its read and the marker', async () => {
    doc
      .on(GetCommand, { Key: { pk: 'HOLD#tx-1', sk: 'HOLD' } })
      .resolvesOnce({})
      .resolves({ Item: { account: 'a', amount: 500, currency: 'EUR', state: 'HELD' } });
    doc.on(PutCommand).rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));
    const r = await runCompensation('ReleaseFunds', ctx, saga);
    expect(r).toEqual({ released: 500, state: 'RELEASED' });
    expect(items()[0]!.Update?.ConditionExpression).toBe('#s = :held');
  });

  it('refuses ReserveFunds for a transaction whose hold was released (its saga was compensated)', async () => {
    hold('RELEASED');
    const r = await outcome(Promise.resolve(runStep('ReserveFunds', ctx, saga)));
    expect(r).toMatchObject({ error: { name: 'PermanentError' } });
    expect(JSON.stringify(r)).toContain('already released');
    expect(doc.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('refuses ReserveFunds when the RELEASED marker was written between its read and its write', async () => {
    doc
      .on(GetCommand, { Key: { pk: 'HOLD#tx-1', sk: 'HOLD' } })
      .resolvesOnce({})
      .resolves({ Item: { account: 'a', amount: 0, currency: 'EUR', state: 'RELEASED' } });
    doc.on(TransactWriteCommand).rejects(reasonOn(0, 2, 'ConditionalCheckFailed'));
    const r = await outcome(Promise.resolve(runStep('ReserveFunds', ctx, saga)));
    expect(r).toMatchObject({ error: { name: 'PermanentError' } });
  });
});
