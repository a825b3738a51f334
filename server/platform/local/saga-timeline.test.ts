import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transactionEnvelope, type Transaction } from '@/infra/runtime/transaction';
import type { Caller } from '@/server/auth/permissions.schema';
import type { Engine } from '../../../infra/embedded/engine';
import type { StepRecord } from '../../../infra/embedded/names';
import { decodeTimeline, derivedOutputOf, encodeTimeline, pendingRecord } from '../../../infra/embedded/saga-timeline';
import { removeDataDir, startTestEngine, tickUntil } from '../../../infra/embedded/test-support';
import type { SagaDetail } from '../platform.schema';
import { createLocalPlatform } from './adapter';

const viewer: Caller = { id: 'timeline-test', name: 'Timeline test', role: 'viewer' };
const input: Transaction = {
  transactionId: 'tx-timeline-1',
  fromAccount: 'acct-0001',
  toAccount: 'acct-0002',
  amount: 1234,
  currency: 'USD',
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('saga timelines as the engine records them', () => {
  let engine: Engine;
  let dataDir: string;
  const succeeded = { ...input };
  const compensated = { ...input, transactionId: 'tx-timeline-2', amount: 777 };
  let ok: SagaDetail;
  let comp: SagaDetail;

  beforeAll(async () => {
    engine = await startTestEngine('timeline', { retryTimeScale: 0.0001 });
    dataDir = engine.db.name.replace(/\/ledgerline\.db$/, '');
    const time = new Date().toISOString();
    await engine.tx(() => engine.putEvents([transactionEnvelope('evt-1', succeeded, time)]));
    await engine.processOnce();
    engine.setKnobs({ outageStep: 'Notify' });
    await engine.tx(() => engine.putEvents([transactionEnvelope('evt-2', compensated, time)]));
    const status = engine.db.prepare<[string], { status: string }>('SELECT status FROM sagas WHERE id = ?');
    await tickUntil(engine, () => status.get(compensated.transactionId)?.status === 'COMPENSATED');
    const platform = createLocalPlatform({ dataDir });
    ok = (await platform.getSaga(viewer, succeeded.transactionId))!;
    comp = (await platform.getSaga(viewer, compensated.transactionId))!;
  });

  afterAll(() => {
    engine.close();
    removeDataDir(dataDir);
  });

  const out = (saga: SagaDetail, name: string) => saga.steps.find((s) => s.name === name)?.output;

  it('gives back every step output of a successful saga exactly as the step returned it', () => {
    const t = succeeded;
    expect(ok.status).toBe('SUCCEEDED');
    expect(ok.steps.map((s) => `${s.name}:${s.state}:${s.attempts}`)).toEqual([
      'ValidatePayment:SUCCEEDED:1',
      'ReserveFunds:SUCCEEDED:1',
      'PostLedger:SUCCEEDED:1',
      'SettlePayment:SUCCEEDED:1',
      'Notify:SUCCEEDED:1',
    ]);
    expect(out(ok, 'ValidatePayment')).toBe(JSON.stringify({ validated: true }));
    expect(out(ok, 'ReserveFunds')).toBe(
      JSON.stringify({ account: t.fromAccount, held: t.amount, alreadyDone: false }),
    );
    expect(out(ok, 'PostLedger')).toBe(
      JSON.stringify({ debit: t.fromAccount, credit: t.toAccount, amount: t.amount, alreadyDone: false }),
    );
    expect(out(ok, 'SettlePayment')).toBe(JSON.stringify({ reference: `stl-${t.transactionId}`, alreadyDone: false }));
    expect(out(ok, 'Notify')).toBe(JSON.stringify({ notified: true }));
    for (const s of ok.steps) {
      expect(JSON.parse(s.input!)).toEqual(t);
      expect(s.startedAt).not.toBeNull();
      expect(Date.parse(s.endedAt!)).toBeGreaterThanOrEqual(Date.parse(s.startedAt!));
      expect(s.error).toBeNull();
    }
  });

  it('reads a saga stored before the compact form (a database written by an earlier version)', async () => {
    const legacy = [
      {
        name: 'ValidatePayment',
        kind: 'step',
        state: 'SUCCEEDED',
        attempts: 1,
        startedAt: 1_700_000_000_000,
        endedAt: 1_700_000_000_004,
        output: '{"validated":true}',
        error: null,
      },
      {
        name: 'ReserveFunds',
        kind: 'step',
        state: 'FAILED',
        attempts: 1,
        startedAt: 1_700_000_000_004,
        endedAt: 1_700_000_000_005,
        output: null,
        error: 'InsufficientFundsError: account acct-0001 has 5 available; 1234 needed',
      },
    ];
    const t = { ...input, transactionId: 'tx-legacy' };
    engine.db
      .prepare(
        "INSERT INTO sagas (id, transaction_id, status, started_at, ended_at, failed_step, error, amount, currency, input, steps, cursor, next_run_at, ingest_at) VALUES (?, ?, 'COMPENSATED', ?, ?, 'ReserveFunds', 'x', ?, 'USD', ?, ?, ?, NULL, ?)",
      )
      .run(
        t.transactionId,
        t.transactionId,
        1_700_000_000_000,
        1_700_000_000_006,
        t.amount,
        JSON.stringify(t),
        JSON.stringify(legacy),
        '{"phase":"done","index":0,"attempt":1,"comps":[]}',
        1_700_000_000_000,
      );
    const saga = (await createLocalPlatform({ dataDir }).getSaga(viewer, t.transactionId))!;
    expect(saga.steps).toEqual(
      legacy.map((s) => ({
        name: s.name,
        kind: s.kind,
        state: s.state,
        attempts: s.attempts,
        startedAt: new Date(s.startedAt).toISOString(),
        endedAt: new Date(s.endedAt).toISOString(),
        input: JSON.stringify(t),
        output: s.output,
        error: s.error,
      })),
    );
  });

  it('stores a successful timeline in under 200 bytes', () => {
    const row = engine.db
      .prepare<[string], { steps: string }>('SELECT steps FROM sagas WHERE id = ?')
      .get(succeeded.transactionId)!;
    expect(row.steps.length).toBeLessThan(200);
  });

  it('gives back the failed step, its retries and error, and each compensation output', () => {
    const t = compensated;
    expect(comp.status).toBe('COMPENSATED');
    const notify = comp.steps.find((s) => s.name === 'Notify')!;
    expect(notify.state).toBe('FAILED');
    expect(notify.attempts).toBeGreaterThan(1);
    expect(notify.output).toBeNull();
    expect(notify.error).toMatch(/^TransientError: downstream unavailable \(outage injected on Notify\)/);
    expect(comp.steps.filter((s) => s.kind === 'compensation').map((s) => `${s.name}:${s.state}`)).toEqual([
      'VoidSettlement:SUCCEEDED',
      'ReverseLedger:SUCCEEDED',
      'ReleaseFunds:SUCCEEDED',
    ]);
    expect(out(comp, 'VoidSettlement')).toBe(JSON.stringify({ voided: true, reference: `stl-${t.transactionId}` }));
    expect(out(comp, 'ReverseLedger')).toBe(
      JSON.stringify({ debit: t.toAccount, credit: t.fromAccount, amount: t.amount, alreadyDone: false }),
    );
    expect(out(comp, 'ReleaseFunds')).toBe(JSON.stringify({ released: t.amount, state: 'RELEASED' }));
  });
});

describe('the timeline of a saga whose step failed for good', () => {
  let engine: Engine;
  let dataDir: string;

  beforeAll(async () => {
    engine = await startTestEngine('timeline-own-compensation', { retryTimeScale: 0.0001 });
    dataDir = engine.db.name.replace(/\/ledgerline\.db$/, '');
  });

  afterAll(() => {
    engine.close();
    removeDataDir(dataDir);
  });

  async function failAt(outageStep: 'SettlePayment' | 'ReserveFunds', transactionId: string): Promise<SagaDetail> {
    engine.setKnobs({ outageStep });
    const t = { ...input, transactionId };
    await engine.tx(() => engine.putEvents([transactionEnvelope(`evt-${transactionId}`, t, new Date().toISOString())]));
    const status = engine.db.prepare<[string], { status: string }>('SELECT status FROM sagas WHERE id = ?');
    await tickUntil(engine, () => ['COMPENSATED', 'FAILED'].includes(status.get(transactionId)?.status ?? ''));
    return (await createLocalPlatform({ dataDir }).getSaga(viewer, transactionId))!;
  }

  it("runs the failed step's own compensation first: a SettlePayment that may have reached the network is voided", async () => {
    const saga = await failAt('SettlePayment', 'tx-timeline-settle');
    expect(saga.status).toBe('COMPENSATED');
    expect(saga.failedStep).toBe('SettlePayment');
    const comps = saga.steps.filter((s) => s.kind === 'compensation');
    expect(comps.map((s) => `${s.name}:${s.state}`)).toEqual([
      'VoidSettlement:SUCCEEDED',
      'ReverseLedger:SUCCEEDED',
      'ReleaseFunds:SUCCEEDED',
    ]);
    // The settlement was PENDING (recorded before the network was asked): voided by transaction id.
    expect(comps[0]!.output).toBe(JSON.stringify({ voided: true, reference: '' }));
    expect(engine.ledger.getSettlement('tx-timeline-settle')?.state).toBe('VOIDED');
  });

  it('releases nothing but leaves a RELEASED marker when ReserveFunds failed for good', async () => {
    const saga = await failAt('ReserveFunds', 'tx-timeline-reserve');
    expect(saga.status).toBe('COMPENSATED');
    const comps = saga.steps.filter((s) => s.kind === 'compensation');
    expect(comps.map((s) => `${s.name}:${s.output}`)).toEqual([
      `ReleaseFunds:${JSON.stringify({ released: 0, state: 'RELEASED', hadHold: false })}`,
    ]);
  });
});

describe('saga timeline encoding', () => {
  const startedAt = 1_767_225_600_000;
  const rec = (r: Partial<StepRecord> & Pick<StepRecord, 'name'>): StepRecord => ({
    ...pendingRecord(r.name, 'step'),
    ...r,
  });

  it('reads back every state, time, output and error it wrote', () => {
    const steps: StepRecord[] = [
      rec({
        name: 'ValidatePayment',
        state: 'SUCCEEDED',
        attempts: 1,
        startedAt,
        endedAt: startedAt + 3,
        output: '{"validated":true,"note":"ü \\"q\\""}',
      }),
      rec({
        name: 'ReserveFunds',
        state: 'FAILED',
        attempts: 3,
        startedAt: startedAt + 5,
        endedAt: startedAt + 9000,
        error: 'InsufficientFundsError: "acct" has 0 ü',
      }),
      rec({ name: 'PostLedger', state: 'RUNNING', attempts: 2, startedAt: startedAt + 1 }),
      rec({ name: 'SettlePayment', state: 'SKIPPED' }),
      rec({ name: 'Notify', state: 'SUCCEEDED', attempts: 1, startedAt, endedAt: startedAt, output: '1' }),
      rec({ name: 'ReleaseFunds', kind: 'compensation', state: 'PENDING', error: 'retrying' }),
      rec({
        name: 'SomeFutureStep',
        kind: 'compensation',
        state: 'SUCCEEDED',
        attempts: 1,
        startedAt,
        endedAt: startedAt,
        output: '[1,2]',
      }),
    ];
    expect(decodeTimeline(encodeTimeline(steps, startedAt), startedAt, input)).toEqual(steps);
  });

  it('stores a derived output as a marker and reads back the same text', () => {
    const text = derivedOutputOf('ReserveFunds', input, { account: 'acct-0001', held: 1234, alreadyDone: false })!;
    expect(text).toBe('{"account":"acct-0001","held":1234,"alreadyDone":false}');
    const steps = [
      rec({
        name: 'ReserveFunds',
        state: 'SUCCEEDED',
        attempts: 1,
        startedAt,
        endedAt: startedAt,
        output: text,
        outputDerived: true,
      }),
    ];
    const stored = encodeTimeline(steps, startedAt);
    expect(stored).toBe('[["ReserveFunds","sS",1,0,0,1]]');
    expect(decodeTimeline(stored, startedAt, input)).toEqual(steps);
  });

  it('derives an output only when its JSON text would be exactly the derived one', () => {
    const t = input;
    expect(
      derivedOutputOf('ReserveFunds', t, { account: t.fromAccount, held: t.amount, alreadyDone: true }),
    ).toBeNull();
    expect(
      derivedOutputOf('ReserveFunds', t, { held: t.amount, account: t.fromAccount, alreadyDone: false }),
    ).toBeNull();
    expect(derivedOutputOf('ReserveFunds', t, { account: t.fromAccount, held: t.amount })).toBeNull();
    expect(
      derivedOutputOf('ReserveFunds', t, { account: t.fromAccount, held: t.amount, alreadyDone: false, x: 1 }),
    ).toBeNull();
    expect(derivedOutputOf('SettlePayment', t, { reference: 'stl-other', alreadyDone: false })).toBeNull();
    expect(derivedOutputOf('SomeFutureStep', t, { ok: true })).toBeNull();
    const outputs: [string, Record<string, string | number | boolean>][] = [
      ['ValidatePayment', { validated: true }],
      ['PostLedger', { debit: t.fromAccount, credit: t.toAccount, amount: t.amount, alreadyDone: false }],
      ['SettlePayment', { reference: `stl-${t.transactionId}`, alreadyDone: false }],
      ['Notify', { notified: true }],
      ['ReleaseFunds', { released: t.amount, state: 'RELEASED' }],
      ['ReverseLedger', { debit: t.toAccount, credit: t.fromAccount, amount: t.amount, alreadyDone: false }],
      ['VoidSettlement', { voided: true, reference: `stl-${t.transactionId}` }],
    ];
    for (const [name, o] of outputs) expect(derivedOutputOf(name, t, o)).toBe(JSON.stringify(o));
  });

  it('still reads timelines stored in the earlier form (StepRecord objects)', () => {
    const legacy: StepRecord[] = [
      rec({
        name: 'ValidatePayment',
        state: 'SUCCEEDED',
        attempts: 1,
        startedAt,
        endedAt: startedAt + 1,
        output: '{"validated":true}',
      }),
      rec({ name: 'ReserveFunds', state: 'SKIPPED' }),
    ];
    expect(decodeTimeline(JSON.stringify(legacy), startedAt, input)).toEqual(legacy);
  });

  it('refuses a corrupt timeline with a clear error', () => {
    expect(() => decodeTimeline('[["ValidatePayment","sZ",1]]', startedAt, input)).toThrow(/saga timeline is corrupt/);
    expect(() => decodeTimeline('{}', startedAt, input)).toThrow(/saga timeline is corrupt: not an array/);
  });
});
