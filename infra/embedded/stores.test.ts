import { beforeEach, describe, expect, it } from 'vitest';
import type { StepContext, StepDeps } from '@/infra/runtime/ports';
import { processMessage } from '@/infra/runtime/processor';
import { runCompensation, runStep } from '@/infra/runtime/saga-steps';
import { transactionEnvelope } from '@/infra/runtime/transaction';
import { type Db } from './db';
import { accountOf, fixtureTransaction, twoAccountDb } from './ledger-fixture';
import { SqliteLedgerStore } from './ledger-store';
import { SqliteTransactionIdempotencyStore } from './transaction-idempotency-store';
import { UndoLog } from './undo-log';

let db: Db;
let deps: StepDeps;
const tx = fixtureTransaction;
const ctx: StepContext = { sagaId: 'tx-1', transaction: tx, attempt: 1 };
const balance = (id: string) => accountOf(db, id);

beforeEach(() => {
  db = twoAccountDb();
  let settled = 0;
  deps = {
    ledger: new SqliteLedgerStore(db),
    downstream: {
      settle: () => Promise.resolve({ reference: `ref-${++settled}` }),
      voidSettlement: () => Promise.resolve(),
      notify: () => Promise.resolve(),
    },
    now: () => 1,
  };
});

describe('saga steps on the SQLite ledger', () => {
  it('applies each step once even when it runs twice', async () => {
    for (const name of ['ValidatePayment', 'ReserveFunds', 'PostLedger', 'SettlePayment', 'Notify'] as const) {
      await runStep(name, ctx, deps);
      await runStep(name, ctx, deps);
    }
    expect(balance('a')).toEqual({ balance: 300, held: 0 });
    expect(balance('b')).toEqual({ balance: 700, held: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM journal').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT reference FROM settlements').get()).toEqual({ reference: 'ref-1' });
  });

  it('compensates in reverse order back to the opening balances, idempotently', async () => {
    for (const name of ['ValidatePayment', 'ReserveFunds', 'PostLedger', 'SettlePayment'] as const)
      await runStep(name, ctx, deps);
    for (const name of [
      'VoidSettlement',
      'ReverseLedger',
      'ReleaseFunds',
      'VoidSettlement',
      'ReverseLedger',
      'ReleaseFunds',
    ] as const)
      await runCompensation(name, ctx, deps);
    expect(balance('a')).toEqual({ balance: 1000, held: 0 });
    expect(balance('b')).toEqual({ balance: 0, held: 0 });
    expect(db.prepare('SELECT state FROM settlements').get()).toEqual({ state: 'VOIDED' });
  });

  // The SQLite ports answer synchronously, so a step fails by throwing (flow.ts), not by rejecting.
  it('refuses a reservation the account cannot cover with InsufficientFundsError', () => {
    expect(() => runStep('ReserveFunds', { ...ctx, transaction: { ...tx, amount: 5000 } }, deps)).toThrow(
      expect.objectContaining({ name: 'InsufficientFundsError' }),
    );
    expect(balance('a')).toEqual({ balance: 1000, held: 0 });
  });

  it('refuses an unknown account with PermanentError', () => {
    expect(() => runStep('ValidatePayment', { ...ctx, transaction: { ...tx, toAccount: 'zz' } }, deps)).toThrow(
      expect.objectContaining({ name: 'PermanentError' }),
    );
  });
});

describe('processor idempotency', () => {
  it('starts one saga per transaction id, whatever the message or event id', async () => {
    const idempotency = new SqliteTransactionIdempotencyStore(db);
    const started: string[] = [];
    const p = {
      idempotency,
      now: () => Date.UTC(2026, 0, 1),
      startSaga: (e: { transaction: { transactionId: string } }) => (
        started.push(e.transaction.transactionId),
        Promise.resolve({ sagaId: e.transaction.transactionId })
      ),
    };
    const first = await processMessage(JSON.stringify(transactionEnvelope('evt-1', tx, tx.createdAt)), p);
    const again = await processMessage(JSON.stringify(transactionEnvelope('evt-2', tx, tx.createdAt)), p);
    expect(first.kind).toBe('started');
    expect(again).toMatchObject({ kind: 'duplicate', sagaId: 'tx-1' });
    expect(started).toEqual(['tx-1']);
    const rec = idempotency.get('tx-1');
    expect(rec?.expiryTime).toBe(Date.UTC(2026, 0, 1) / 1000 + 48 * 3600);
  });

  it('lets a transaction be claimed again after its record expired', () => {
    const idempotency = new SqliteTransactionIdempotencyStore(db);
    expect(idempotency.claim('k', 100, 0).status).toBe('claimed');
    idempotency.complete('k', '{}');
    expect(idempotency.claim('k', 200, 50_000).status).toBe('completed');
    expect(idempotency.claim('k', 300, 101_000).status).toBe('claimed');
  });
});

describe('unit of work (the engine batch)', () => {
  const forward = ['ValidatePayment', 'ReserveFunds', 'PostLedger', 'SettlePayment', 'Notify'] as const;
  const tx2 = { ...tx, transactionId: 'tx-2', amount: 200 };
  const ctx2: StepContext = { sagaId: 'tx-2', transaction: tx2, attempt: 1 };

  it('writes accounts and holds at flush, once, with the same result as writing through', async () => {
    const ledger = deps.ledger as SqliteLedgerStore;
    db.exec('BEGIN IMMEDIATE');
    ledger.beginBatch(new UndoLog());
    for (const name of forward) {
      await runStep(name, ctx, deps);
      await runStep(name, ctx, deps);
    }
    await runStep('ReserveFunds', ctx2, deps);
    expect(balance('a')).toEqual({ balance: 1000, held: 0 }); // nothing written yet
    expect((await deps.ledger.getAccount('a'))?.held).toBe(200); // but the batch sees its own changes
    ledger.flushBatch();
    db.exec('COMMIT');
    expect(balance('a')).toEqual({ balance: 300, held: 200 });
    expect(balance('b')).toEqual({ balance: 700, held: 0 });
    expect(db.prepare('SELECT transaction_id, state FROM holds ORDER BY 1').all()).toEqual([
      { transaction_id: 'tx-1', state: 'CAPTURED' },
      { transaction_id: 'tx-2', state: 'HELD' },
    ]);
    expect(db.prepare('SELECT count(*) AS n FROM journal').get()).toEqual({ n: 1 });
  });

  it('undoes the in-memory changes of a message rolled back to its savepoint', async () => {
    const ledger = deps.ledger as SqliteLedgerStore;
    const undo = new UndoLog();
    db.exec('BEGIN IMMEDIATE');
    ledger.beginBatch(undo);
    for (const name of forward) await runStep(name, ctx, deps);
    db.exec('SAVEPOINT msg');
    const mark = undo.mark();
    for (const name of ['ValidatePayment', 'ReserveFunds', 'PostLedger'] as const) await runStep(name, ctx2, deps);
    db.exec('ROLLBACK TO msg');
    db.exec('RELEASE msg');
    undo.rollbackTo(mark);
    expect((await deps.ledger.getAccount('a'))?.balance).toBe(300);
    ledger.flushBatch();
    db.exec('COMMIT');
    expect(balance('a')).toEqual({ balance: 300, held: 0 });
    expect(balance('b')).toEqual({ balance: 700, held: 0 });
    expect(db.prepare("SELECT count(*) AS n FROM holds WHERE transaction_id = 'tx-2'").get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT count(*) AS n FROM journal WHERE transaction_id = 'tx-2'").get()).toEqual({ n: 0 });
  });

  it('keeps new idempotency records in memory until flush and sees them within the batch', () => {
    const idempotency = new SqliteTransactionIdempotencyStore(db);
    const undo = new UndoLog();
    db.exec('BEGIN IMMEDIATE');
    idempotency.beginBatch(undo);
    expect(idempotency.claim('k1', 100, 0).status).toBe('claimed');
    idempotency.complete('k1', '{"sagaId":"k1"}');
    expect(idempotency.claim('k1', 100, 0).status).toBe('completed');
    const mark = undo.mark();
    expect(idempotency.claim('k2', 100, 0).status).toBe('claimed');
    idempotency.complete('k2', '{}');
    undo.rollbackTo(mark);
    expect(idempotency.get('k2')).toBeNull();
    expect(idempotency.claim('k3', 100, 0).status).toBe('claimed');
    idempotency.release('k3');
    expect(db.prepare('SELECT count(*) AS n FROM idempotency').get()).toEqual({ n: 0 });
    idempotency.flushBatch();
    db.exec('COMMIT');
    expect(db.prepare('SELECT key, status, result FROM idempotency').all()).toEqual([
      { key: 'k1', status: 'COMPLETED', result: '{"sagaId":"k1"}' },
    ]);
  });
  it('with the absence of a transaction’s rows noted, still applies every step once and sees its own writes', async () => {
    const ledger = deps.ledger as SqliteLedgerStore;
    db.exec('BEGIN IMMEDIATE');
    ledger.beginBatch(new UndoLog());
    ledger.noteAbsent('tx-1', { hold: true, journal: true, settlement: true });
    for (const name of forward) {
      await runStep(name, ctx, deps);
      const again = await runStep(name, ctx, deps); // the second run finds the first's rows
      if (name !== 'ValidatePayment' && name !== 'Notify') expect(again.alreadyDone).toBe(true);
    }
    for (const name of ['VoidSettlement', 'ReverseLedger', 'ReleaseFunds'] as const) {
      await runCompensation(name, ctx, deps);
      await runCompensation(name, ctx, deps);
    }
    ledger.flushBatch();
    db.exec('COMMIT');
    expect(balance('a')).toEqual({ balance: 1000, held: 0 });
    expect(balance('b')).toEqual({ balance: 0, held: 0 });
    expect(db.prepare('SELECT kind FROM journal ORDER BY kind').all()).toEqual([{ kind: 'POST' }, { kind: 'REVERSE' }]);
    expect(db.prepare('SELECT reference, state FROM settlements').all()).toEqual([
      { reference: 'ref-1', state: 'VOIDED' },
    ]);
    expect(db.prepare('SELECT state FROM holds').all()).toEqual([{ state: 'RELEASED' }]);
  });

  it('writes the markers of compensations that found nothing to undo at flush, and a later ReserveFunds respects them', async () => {
    const ledger = deps.ledger as SqliteLedgerStore;
    db.exec('BEGIN IMMEDIATE');
    ledger.beginBatch(new UndoLog());
    ledger.noteAbsent('tx-1', { hold: true, journal: true, settlement: true });
    expect(await runCompensation('VoidSettlement', ctx, deps)).toEqual({ voided: false });
    expect(await runCompensation('ReleaseFunds', ctx, deps)).toEqual({
      released: 0,
      state: 'RELEASED',
      hadHold: false,
    });
    await expect(Promise.resolve().then(() => runStep('ReserveFunds', ctx, deps))).rejects.toThrow(/already released/);
    ledger.flushBatch();
    db.exec('COMMIT');
    expect(db.prepare('SELECT account, amount, state FROM holds').all()).toEqual([
      { account: 'a', amount: 0, state: 'RELEASED' },
    ]);
    expect(db.prepare('SELECT reference, state FROM settlements').all()).toEqual([{ reference: '', state: 'VOIDED' }]);
    expect(balance('a')).toEqual({ balance: 1000, held: 0 });
    await expect(Promise.resolve().then(() => runStep('ReserveFunds', ctx, deps))).rejects.toThrow(/already released/);
  });

  it('settles in a batch a settlement an earlier batch left PENDING, writing its reference at flush', async () => {
    const ledger = deps.ledger as SqliteLedgerStore;
    ledger.beginSettlement('tx-1', 1);
    db.exec('BEGIN IMMEDIATE');
    ledger.beginBatch(new UndoLog());
    expect(await runStep('SettlePayment', ctx, deps)).toEqual({ reference: 'ref-1', alreadyDone: false });
    ledger.flushBatch();
    db.exec('COMMIT');
    expect(db.prepare('SELECT reference, state FROM settlements').all()).toEqual([
      { reference: 'ref-1', state: 'SETTLED' },
    ]);
  });

  it('looks again after a savepoint rollback removed a row written since the absence was noted', async () => {
    const ledger = deps.ledger as SqliteLedgerStore;
    const undo = new UndoLog();
    db.exec('BEGIN IMMEDIATE');
    ledger.beginBatch(undo);
    ledger.noteAbsent('tx-1', { hold: true, journal: true, settlement: true });
    await runStep('ReserveFunds', ctx, deps);
    db.exec('SAVEPOINT msg');
    const mark = undo.mark();
    await runStep('PostLedger', ctx, deps);
    await runStep('SettlePayment', ctx, deps);
    db.exec('ROLLBACK TO msg');
    db.exec('RELEASE msg');
    undo.rollbackTo(mark);
    expect((await runStep('PostLedger', ctx, deps)).alreadyDone).toBe(false);
    expect((await runStep('SettlePayment', ctx, deps)).alreadyDone).toBe(false);
    ledger.flushBatch();
    db.exec('COMMIT');
    expect(balance('a')).toEqual({ balance: 300, held: 0 });
    expect(balance('b')).toEqual({ balance: 700, held: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM journal').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT reference FROM settlements').all()).toEqual([{ reference: 'ref-2' }]);
  });

  it('takes over an expired record in memory and writes it at flush; a released takeover deletes it', () => {
    const idempotency = new SqliteTransactionIdempotencyStore(db);
    const add = db.prepare('INSERT INTO idempotency VALUES (?, \'COMPLETED\', 1, \'{"sagaId":"old"}\', 0, NULL)');
    add.run('expired-1');
    add.run('expired-2');
    db.exec('BEGIN IMMEDIATE');
    idempotency.beginBatch(new UndoLog());
    expect(idempotency.claim('expired-1', 100, 5_000).status).toBe('claimed');
    expect(idempotency.claim('expired-1', 100, 5_000).status).toBe('in_progress');
    idempotency.complete('expired-1', '{"sagaId":"new"}');
    expect(idempotency.claim('expired-2', 100, 5_000).status).toBe('claimed');
    idempotency.release('expired-2');
    expect(idempotency.get('expired-2')).toBeNull();
    expect(idempotency.claim('expired-2', 100, 5_000).status).toBe('claimed'); // claimable again
    idempotency.release('expired-2');
    expect(db.prepare('SELECT key, result FROM idempotency ORDER BY key').all()).toEqual([
      { key: 'expired-1', result: '{"sagaId":"old"}' },
      { key: 'expired-2', result: '{"sagaId":"old"}' },
    ]); // nothing written before the flush
    idempotency.flushBatch();
    db.exec('COMMIT');
    expect(db.prepare('SELECT key, status, expiry_time, result FROM idempotency ORDER BY key').all()).toEqual([
      { key: 'expired-1', status: 'COMPLETED', expiry_time: 100, result: '{"sagaId":"new"}' },
    ]);
  });

  it('decides a claim on an absent key without the table and on a present key from it', () => {
    const idempotency = new SqliteTransactionIdempotencyStore(db);
    db.prepare("INSERT INTO idempotency VALUES ('done', 'COMPLETED', 100, '{}', 0, NULL)").run();
    db.exec('BEGIN IMMEDIATE');
    idempotency.beginBatch(new UndoLog());
    idempotency.noteAbsent('fresh');
    expect(idempotency.claim('fresh', 100, 0).status).toBe('claimed');
    idempotency.complete('fresh', '{"sagaId":"fresh"}');
    expect(idempotency.claim('fresh', 100, 0).status).toBe('completed');
    expect(idempotency.claim('done', 100, 0).status).toBe('completed');
    idempotency.flushBatch();
    db.exec('COMMIT');
    expect(db.prepare('SELECT key, status FROM idempotency ORDER BY key').all()).toEqual([
      { key: 'done', status: 'COMPLETED' },
      { key: 'fresh', status: 'COMPLETED' },
    ]);
  });
});
