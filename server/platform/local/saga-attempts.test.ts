import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transactionEnvelope, type Transaction } from '@/infra/runtime/transaction';
import type { Caller } from '@/server/auth/permissions.schema';
import type { Engine } from '../../../infra/embedded/engine';
import {
  attemptLogOf,
  decodeTimeline,
  encodeTimeline,
  pendingRecord,
  type TimelineRecord,
} from '../../../infra/embedded/saga-timeline';
import { removeDataDir, startTestEngine, tickUntil } from '../../../infra/embedded/test-support';
import { sagaDefinition } from '../../../infra/saga/definition';
import type { SagaDetail } from '../platform.schema';
import { createLocalPlatform } from './adapter';

const operator: Caller = { id: 'attempts-test', name: 'Attempts test', role: 'operator' };
const tx = (transactionId: string, amount: number): Transaction => ({
  transactionId,
  fromAccount: 'acct-0001',
  toAccount: 'acct-0002',
  amount,
  currency: 'USD',
  createdAt: '2026-01-01T00:00:00.000Z',
});
// A compensation fails for good after the policy's attempts; the operator's run adds one more.
const failing = sagaDefinition.compensationRetry.maxAttempts;

describe('every attempt of a compensation is kept across automatic retries and operator runs', () => {
  let engine: Engine;
  let dataDir: string;
  let platform: ReturnType<typeof createLocalPlatform>;
  const compensated = tx('tx-attempts-1', 45577);
  const resumed = tx('tx-attempts-2', 1200);
  let firstRun: SagaDetail;
  const ids = [compensated.transactionId, resumed.transactionId];

  const statusIs = (status: string) => {
    const q = engine.db.prepare<[string], { status: string }>('SELECT status FROM sagas WHERE id = ?');
    return () => ids.every((id) => q.get(id)?.status === status);
  };
  const voidOf = (saga: SagaDetail) => saga.steps.find((s) => s.name === 'VoidSettlement')!;

  beforeAll(async () => {
    engine = await startTestEngine('attempts', { retryTimeScale: 0.0001 });
    dataDir = engine.db.name.replace(/\/ledgerline\.db$/, '');
    platform = createLocalPlatform({ dataDir });
    const time = new Date().toISOString();
    await engine.tx(() =>
      engine.putEvents([
        transactionEnvelope('evt-a1', compensated, time),
        transactionEnvelope('evt-a2', resumed, time),
      ]),
    );
    await tickUntil(engine, statusIs('SUCCEEDED'));
    // VoidSettlement is down: the operator's compensation of both completed payments stops there.
    engine.setKnobs({ outageStep: 'VoidSettlement' });
    for (const sagaId of ids) await platform.compensate(operator, { sagaId, mode: 'compensate', reason: 'refund' });
    await tickUntil(engine, statusIs('FAILED'));
    firstRun = (await platform.getSaga(operator, compensated.transactionId))!;
    engine.setKnobs({ outageStep: null });
    await platform.compensate(operator, { sagaId: compensated.transactionId, mode: 'compensate', reason: 'again' });
    await platform.compensate(operator, { sagaId: resumed.transactionId, mode: 'resume', reason: 'outage over' });
    await tickUntil(engine, statusIs('COMPENSATED'));
  });

  afterAll(() => {
    engine.close();
    removeDataDir(dataDir);
  });

  it('lists each failed attempt of the first run with its error', () => {
    const v = voidOf(firstRun);
    expect(v.state).toBe('FAILED');
    expect(v.attempts).toBe(failing);
    expect(v.attemptsDetail!.map((a) => `${a.n}:${a.outcome}`)).toEqual(
      Array.from({ length: failing }, (_, i) => `${i + 1}:failed`),
    );
    for (const a of v.attemptsDetail!) {
      expect(a.error).toMatch(/\w+: /);
      expect(Date.parse(a.endedAt!)).toBeGreaterThanOrEqual(Date.parse(a.startedAt!));
    }
  });

  it.each([
    ['an operator compensate', compensated.transactionId],
    ['an operator resume', resumed.transactionId],
  ])('keeps the first run’s attempts after %s that succeeded', async (_, id) => {
    const saga = (await platform.getSaga(operator, id))!;
    expect(saga.status).toBe('COMPENSATED');
    const v = voidOf(saga);
    expect(v.state).toBe('SUCCEEDED');
    expect(v.attempts).toBe(failing + 1);
    expect(v.attemptsDetail!.map((a) => a.outcome)).toEqual([...Array<string>(failing).fill('failed'), 'succeeded']);
    expect(v.attemptsDetail!.map((a) => a.n)).toEqual(Array.from({ length: failing + 1 }, (_, i) => i + 1));
    expect(v.attemptsDetail!.slice(0, failing).every((a) => a.error !== null)).toBe(true);
    expect(v.attemptsDetail!.at(-1)!.error).toBeNull();
    // The earlier error stays on the record: the page says an earlier attempt failed.
    expect(v.error).toBe(v.attemptsDetail![failing - 1]!.error);
    const starts = v.attemptsDetail!.map((a) => Date.parse(a.startedAt!));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    // The other compensations ran once, their single attempt listed.
    for (const c of saga.steps.filter((s) => s.kind === 'compensation' && s.name !== 'VoidSettlement'))
      expect(c.attemptsDetail?.map((a) => `${a.n}:${a.outcome}`)).toEqual(['1:succeeded']);
  });

  it('describes the compensation with the amount formatted from minor units with its currency', async () => {
    const done = tx('tx-attempts-3', 45577);
    await engine.tx(() => engine.putEvents([transactionEnvelope('evt-a3', done, new Date().toISOString())]));
    const q = engine.db.prepare<[string], { status: string }>('SELECT status FROM sagas WHERE id = ?');
    await tickUntil(engine, () => q.get(done.transactionId)?.status === 'SUCCEEDED');
    const preview = await platform.previewCompensation(operator, { sagaId: done.transactionId, mode: 'compensate' });
    const text = preview.actions.map((a) => a.description).join(' | ');
    expect(text).toContain('move USD 455.77 from acct-0002 back to acct-0001');
    expect(text).toContain('Release the hold of USD 455.77 on acct-0001');
    expect(text).not.toContain('45577');
  });
});

describe('the attempts log in the stored timeline', () => {
  const startedAt = Date.parse('2026-01-01T00:00:00.000Z');
  const input = tx('tx-log', 100);

  it('reads back every attempt with its times and error', () => {
    const rec: TimelineRecord = {
      ...pendingRecord('VoidSettlement', 'compensation'),
      state: 'SUCCEEDED',
      attempts: 3,
      startedAt: startedAt + 10,
      endedAt: startedAt + 90,
      output: '{"voided":true}',
      error: 'TransientError: b',
      attemptLog: [
        { startedAt: startedAt + 10, endedAt: startedAt + 20, error: 'TransientError: a' },
        { startedAt: startedAt + 40, endedAt: startedAt + 50, error: 'TransientError: b' },
        { startedAt: startedAt + 80, endedAt: startedAt + 90, error: null },
      ],
    };
    const stored = encodeTimeline([rec], startedAt);
    expect(stored).toBe(
      '[["VoidSettlement","cS",3,10,90,{"voided":true},"TransientError: b",[[10,20,"TransientError: a"],[40,50,"TransientError: b"],[80,90]]]]',
    );
    expect(decodeTimeline(stored, startedAt, input)).toEqual([rec]);
  });

  it('stores no log for a single attempt that succeeded: the record says it all', () => {
    const rec: TimelineRecord = {
      ...pendingRecord('Notify', 'step'),
      state: 'SUCCEEDED',
      attempts: 1,
      startedAt,
      endedAt: startedAt + 5,
      output: '{"x":1}',
      attemptLog: [{ startedAt, endedAt: startedAt + 5, error: null }],
    };
    expect(encodeTimeline([rec], startedAt)).toBe('[["Notify","sS",1,0,5,{"x":1}]]');
    const [back] = decodeTimeline(encodeTimeline([rec], startedAt), startedAt, input);
    expect(attemptLogOf(back!)).toEqual(rec.attemptLog);
  });
});
