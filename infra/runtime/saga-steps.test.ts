/**
 * The saga steps and compensations on the embedded SQLite ledger (the DynamoDB ledger obeys the
 * same port: infra/lambda/adapters/dynamodb-ledger.test.ts): compensations are safe no-ops where
 * there is nothing to undo and leave markers that keep a late or second write from acting on a
 * transaction that was already decided.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type Db } from '../embedded/db';
import { accountOf, fixtureTransaction, twoAccountDb } from '../embedded/ledger-fixture';
import { SqliteLedgerStore } from '../embedded/ledger-store';
import { sagaDefinition } from '../saga/definition';
import type { Settlement, StepDeps } from './ports';
import { retryDelaySeconds, runCompensation, runStep } from './saga-steps';

let db: Db;
let ledger: SqliteLedgerStore;
let deps: StepDeps;
let calls: string[];
/** The settlement as the ledger holds it at the moment the network is asked to settle. */
let seenBySettle: Settlement | null;
const tx = fixtureTransaction;
const ctx = { sagaId: 'tx-1', transaction: tx, attempt: 1 };
const balance = (id: string) => accountOf(db, id);
const run = (f: () => unknown) =>
  Promise.resolve()
    .then(f)
    .then(
      (value) => ({ value }),
      (e: unknown) => ({ error: { name: (e as Error).name, message: (e as Error).message } }),
    );

beforeEach(() => {
  db = twoAccountDb();
  ledger = new SqliteLedgerStore(db);
  calls = [];
  seenBySettle = null;
  deps = {
    ledger,
    downstream: {
      settle: (r) => {
        calls.push(`settle ${r.transactionId}`);
        seenBySettle = ledger.getSettlement(r.transactionId);
        return { reference: `stl-${r.transactionId}` };
      },
      voidSettlement: (r) => {
        calls.push(`void ${r.transactionId}`);
      },
      notify: (r) => {
        calls.push(`notify ${r.transactionId}`);
      },
    },
    now: () => 1,
  };
});

describe('a second saga for a transaction whose first saga was compensated', () => {
  it('is refused at ReserveFunds, so it neither moves money nor notifies success over a reversed ledger', async () => {
    for (const s of ['ValidatePayment', 'ReserveFunds', 'PostLedger', 'SettlePayment'] as const)
      await runStep(s, ctx, deps);
    for (const c of ['VoidSettlement', 'ReverseLedger', 'ReleaseFunds'] as const) await runCompensation(c, ctx, deps);
    expect(balance('b')).toEqual({ balance: 0, held: 0 });

    const again = { ...ctx, sagaId: 'tx-1-again' };
    await runStep('ValidatePayment', again, deps);
    const r = await run(() => runStep('ReserveFunds', again, deps));
    expect(r).toMatchObject({ error: { name: 'PermanentError' } });
    expect(JSON.stringify(r)).toContain('already released');
    expect(calls.filter((c) => c.startsWith('notify'))).toEqual([]);
    expect(balance('a')).toEqual({ balance: 1000, held: 0 });
    // Its own compensation (ReleaseFunds) is then a no-op on the released hold.
    expect(await runCompensation('ReleaseFunds', again, deps)).toEqual({ released: 700, state: 'RELEASED' });
  });

  it('does not settle again a transaction whose settlement was voided', async () => {
    await runStep('ReserveFunds', ctx, deps);
    await runStep('PostLedger', ctx, deps);
    await runStep('SettlePayment', ctx, deps);
    await runCompensation('VoidSettlement', ctx, deps);
    calls = [];
    const r = await run(() => runStep('SettlePayment', { ...ctx, sagaId: 'tx-1-again' }, deps));
    expect(r).toMatchObject({ error: { name: 'PermanentError' } });
    expect(calls).toEqual([]);
  });
});

describe('compensations of a step that failed for good', () => {
  it('ReleaseFunds with no hold leaves a RELEASED marker, so a late ReserveFunds write cannot hold funds afterwards', async () => {
    expect(await runCompensation('ReleaseFunds', ctx, deps)).toEqual({
      released: 0,
      state: 'RELEASED',
      hadHold: false,
    });
    const r = await run(() => runStep('ReserveFunds', ctx, deps));
    expect(r).toMatchObject({ error: { name: 'PermanentError' } });
    expect(balance('a')).toEqual({ balance: 1000, held: 0 });
    // Running the compensation again changes nothing.
    expect(await runCompensation('ReleaseFunds', ctx, deps)).toEqual({
      released: 0,
      state: 'RELEASED',
      hadHold: false,
    });
  });

  it('ReleaseFunds refuses a CAPTURED hold: the ledger must be reversed first', async () => {
    await runStep('ReserveFunds', ctx, deps);
    await runStep('PostLedger', ctx, deps);
    const r = await run(() => runCompensation('ReleaseFunds', ctx, deps));
    expect(r).toMatchObject({ error: { name: 'PermanentError' } });
    expect(JSON.stringify(r)).toContain('reverse the ledger');
    expect(balance('b')).toEqual({ balance: 700, held: 0 });
  });

  it('ReverseLedger with nothing posted does nothing', async () => {
    await runStep('ReserveFunds', ctx, deps);
    expect(await runCompensation('ReverseLedger', ctx, deps)).toEqual({ reversed: false });
    expect(balance('a')).toEqual({ balance: 1000, held: 700 });
  });

  it('VoidSettlement with no settlement calls no network and leaves a VOIDED marker a late SettlePayment respects', async () => {
    expect(await runCompensation('VoidSettlement', ctx, deps)).toEqual({ voided: false });
    expect(ledger.getSettlement('tx-1')).toEqual({ transactionId: 'tx-1', reference: '', state: 'VOIDED' });
    const r = await run(() => runStep('SettlePayment', ctx, deps));
    expect(r).toMatchObject({ error: { name: 'PermanentError' } });
    expect(calls).toEqual([]);
  });
});

describe('SettlePayment and VoidSettlement around the payment network', () => {
  it('records the settlement PENDING before asking the network, then SETTLED with its reference', async () => {
    expect(await runStep('SettlePayment', ctx, deps)).toEqual({ reference: 'stl-tx-1', alreadyDone: false });
    expect(seenBySettle).toEqual({ transactionId: 'tx-1', reference: '', state: 'PENDING' });
    expect(ledger.getSettlement('tx-1')).toEqual({ transactionId: 'tx-1', reference: 'stl-tx-1', state: 'SETTLED' });
  });

  it('VoidSettlement voids at the network by transaction id a settlement left PENDING (the answer was lost)', async () => {
    deps.downstream.settle = (r) => {
      calls.push(`settle ${r.transactionId}`);
      throw new Error('socket hang up after the request was sent');
    };
    await expect(run(() => runStep('SettlePayment', ctx, deps))).resolves.toHaveProperty('error');
    expect(ledger.getSettlement('tx-1')?.state).toBe('PENDING');
    expect(await runCompensation('VoidSettlement', ctx, deps)).toEqual({ voided: true, reference: '' });
    expect(calls).toEqual(['settle tx-1', 'void tx-1']);
    expect(ledger.getSettlement('tx-1')?.state).toBe('VOIDED');
  });

  it('a retried SettlePayment over a PENDING settlement asks the network again and records it SETTLED once', async () => {
    ledger.beginSettlement('tx-1', 1);
    expect(await runStep('SettlePayment', ctx, deps)).toEqual({ reference: 'stl-tx-1', alreadyDone: false });
    expect(await runStep('SettlePayment', ctx, deps)).toEqual({ reference: 'stl-tx-1', alreadyDone: true });
    expect(calls).toEqual(['settle tx-1']);
  });
});

describe('retry delays', () => {
  it('grow by the backoff rate and stop at the policy’s maxDelaySeconds', () => {
    const policy = sagaDefinition.compensationInvokeRetry;
    const delays = Array.from({ length: policy.maxAttempts - 1 }, (_, i) =>
      retryDelaySeconds(policy, i + 1, 'Lambda.TooManyRequestsException'),
    );
    expect(delays.slice(0, 3)).toEqual([5, 10, 20]);
    expect(Math.max(...delays.map(Number))).toBe(policy.maxDelaySeconds);
    expect(retryDelaySeconds(policy, policy.maxAttempts, 'Lambda.TooManyRequestsException')).toBeNull();
    expect(retryDelaySeconds(policy, 1, 'PermanentError')).toBeNull();
  });
});
