import { afterEach, describe, expect, it } from 'vitest';
import { alarmName } from '@/infra/platform/description';
import { transactionEnvelope, type Transaction } from '@/infra/runtime/transaction';
import type { Caller } from '@/server/auth/permissions.schema';
import { dlqOf } from '../../../infra/embedded/db';
import { type Engine } from '../../../infra/embedded/engine';
import { PROCESSING, STAGE } from '../../../infra/embedded/names';
import { balances } from '../../../infra/embedded/reconcile';
import { removeDataDir, startTestEngine } from '../../../infra/embedded/test-support';
import { createLocalPlatform } from './adapter';

const operator: Caller = { id: 'faults-test', name: 'Faults test', role: 'operator' };
const DLQ_ALARM = alarmName(STAGE, `${PROCESSING}-dlq-depth`);
const DOWNSTREAM_ALARM = alarmName(STAGE, 'downstream-failures');

/** An engine on a clock the test moves, starting 1 s into a minute. */
async function engineOnClock(label: string, opts: { breakerOpenMs?: number } = {}) {
  const clock = { now: Math.floor(Date.now() / 60_000) * 60_000 + 1_000 };
  const engine = await startTestEngine(label, { clock: () => clock.now, ...opts });
  return { engine, clock };
}

function transactions(engine: Engine, prefix: string, n: number, firstAccount = 1): Transaction[] {
  const createdAt = new Date(engine.now()).toISOString();
  // The engine creates acct-0001..acct-0200.
  const account = (k: number) => `acct-${String(((firstAccount - 1 + k) % 200) + 1).padStart(4, '0')}`;
  return Array.from({ length: n }, (_, i) => ({
    transactionId: `${prefix}-${i}`,
    fromAccount: account(2 * i),
    toAccount: account(2 * i + 1),
    amount: 1_000 + i,
    currency: 'USD',
    createdAt,
  }));
}

async function put(engine: Engine, txs: readonly Transaction[]): Promise<void> {
  const time = new Date(engine.now()).toISOString();
  await engine.tx(() => engine.putEvents(txs.map((t) => transactionEnvelope(`ev-${t.transactionId}`, t, time))));
}

const metricAt = (engine: Engine, id: string, at: number) =>
  engine.db
    .prepare<[string, number], { value: number }>('SELECT value FROM metrics WHERE metric = ? AND minute = ?')
    .get(id, Math.floor(at / 60_000))?.value;

const alarmState = (engine: Engine, name: string) =>
  engine.db.prepare<[string], { state: string }>('SELECT state FROM alarms WHERE name = ?').get(name)?.state;

describe('faults of the embedded platform', () => {
  let engine: Engine | null = null;
  afterEach(() => {
    if (!engine) return;
    const dir = engine.db.name.replace(/\/ledgerline\.db$/, '');
    engine.close();
    removeDataDir(dir);
    engine = null;
  });

  it('a processor outage dead-letters valid transactions after exactly 3 receives, and after it is cleared a redrive applies each once and the DLQ alarm returns to OK', async () => {
    const started = await engineOnClock('processor-outage');
    engine = started.engine;
    const { clock } = started;
    const e = engine;
    const txs = transactions(e, 'tx-outage', 3);
    const before = balances(e.db);
    e.setKnobs({ processorOutage: true });
    await put(e, txs);

    const rows = () =>
      e.db
        .prepare<[], { transaction_id: string; queue: string; receive_count: number; last_error: string | null }>(
          "SELECT transaction_id, queue, receive_count, last_error FROM messages WHERE transaction_id LIKE 'tx-outage-%' ORDER BY transaction_id",
        )
        .all();
    for (let receive = 1; receive <= 3; receive++) {
      expect(rows().map((r) => r.queue)).toEqual(txs.map(() => PROCESSING));
      expect(await e.processOnce()).toBe(txs.length);
      expect(rows().map((r) => r.receive_count)).toEqual(txs.map(() => receive));
    }
    const dead = rows();
    expect(dead.map((r) => r.queue)).toEqual(txs.map(() => dlqOf(PROCESSING)));
    for (const r of dead) expect(r.last_error).toMatch(/^ProcessorOutage: processor unavailable/);
    expect(e.db.prepare("SELECT 1 FROM sagas WHERE id LIKE 'tx-outage-%'").get()).toBeUndefined();
    e.flushMetrics();
    expect(metricAt(e, 'processor.errors', clock.now)).toBe(3 * txs.length);
    // Complete periods only (CloudWatch): this minute's DLQ depth decides once the minute is over.
    e.evaluateAlarms();
    expect(alarmState(e, DLQ_ALARM)).toBe('OK');
    clock.now = Math.floor(clock.now / 60_000) * 60_000 + 60_000 + 1_000;
    await e.tick({ generate: false });
    expect(alarmState(e, DLQ_ALARM)).toBe('ALARM');

    // Cleared (what POST /api/admin/faults/clear writes), then redriven as an operator does.
    e.setKnobs({ processorOutage: false });
    const platform = createLocalPlatform({ dataDir: e.db.name.replace(/\/ledgerline\.db$/, '') });
    const task = await platform.startRedrive(operator, { queueId: PROCESSING });
    expect(task.total).toBe(txs.length);
    await e.drain(20_000);
    expect(rows()).toEqual([]);
    const sagas = e.db
      .prepare<[], { id: string; status: string }>(
        "SELECT id, status FROM sagas WHERE id LIKE 'tx-outage-%' ORDER BY id",
      )
      .all();
    expect(sagas).toEqual(txs.map((t) => ({ id: t.transactionId, status: 'SUCCEEDED' })));
    const after = balances(e.db);
    for (const t of txs) {
      expect(after[t.fromAccount]! - before[t.fromAccount]!).toBe(-t.amount);
      expect(after[t.toAccount]! - before[t.toAccount]!).toBe(t.amount);
    }

    // CloudWatch semantics: the DLQ depth datapoint of a minute is its maximum, and only complete
    // minutes are evaluated: the minute of the redrive (3 at its start) keeps the alarm in ALARM
    // until the first evaluation after the next, empty, minute (1 period of 60 s).
    e.evaluateAlarms();
    expect(alarmState(e, DLQ_ALARM)).toBe('ALARM');
    clock.now = Math.floor(clock.now / 60_000) * 60_000 + 60_000 + 1_000;
    await e.tick({ generate: false });
    expect(metricAt(e, `dlq.${PROCESSING}.visible`, clock.now)).toBe(0);
    expect(alarmState(e, DLQ_ALARM)).toBe('ALARM');
    clock.now = Math.floor(clock.now / 60_000) * 60_000 + 60_000 + 1_000;
    await e.tick({ generate: false });
    expect(alarmState(e, DLQ_ALARM)).toBe('OK');
  });

  it('counts the calls the open circuit breaker rejects as downstream failures, so the rate stays above the alarm threshold while it is open', async () => {
    const started = await engineOnClock('breaker-rate', { breakerOpenMs: 150_000 });
    engine = started.engine;
    const { clock } = started;
    const e = engine;
    const minuteStart = Math.floor(clock.now / 60_000) * 60_000;
    // 40 s of healthy traffic, then the settlement network goes down mid-minute.
    await put(e, transactions(e, 'tx-healthy', 150));
    await e.processOnce();
    clock.now = minuteStart + 40_000;
    e.setKnobs({ outageStep: 'SettlePayment' });
    await put(e, transactions(e, 'tx-down', 90));
    await e.processOnce();
    expect(e.breaker.state(clock.now)).toBe('open');
    e.flushMetrics();
    const calls = metricAt(e, 'downstream.calls', clock.now)!;
    const failures = metricAt(e, 'downstream.failures', clock.now)!;
    const rejected = metricAt(e, 'downstream.rejected', clock.now)!;
    expect(rejected).toBeGreaterThan(0);
    // Without the rejected calls this minute would stay under the 20 % threshold.
    expect((100 * failures) / calls).toBeLessThan(20);
    const rate = metricAt(e, 'downstream.failure_rate', clock.now)!;
    expect(rate).toBeCloseTo((100 * (failures + rejected)) / (calls + rejected), 6);
    expect(rate).toBeGreaterThan(20);

    // The next minute the breaker is still open: every call is rejected, the rate is 100 %.
    clock.now = minuteStart + 61_000;
    await put(e, transactions(e, 'tx-later', 20, 101));
    await e.tick({ generate: false });
    expect(e.breaker.state(clock.now)).toBe('open');
    e.flushMetrics();
    expect(metricAt(e, 'downstream.calls', clock.now) ?? 0).toBe(0);
    expect(metricAt(e, 'downstream.failure_rate', clock.now)).toBe(100);
    // Complete minutes only: both breaching minutes raise it (2 of 2) once the second is over.
    e.evaluateAlarms();
    expect(alarmState(e, DOWNSTREAM_ALARM)).toBe('OK');
    clock.now = minuteStart + 121_000;
    await e.tick({ generate: false });
    expect(alarmState(e, DOWNSTREAM_ALARM)).toBe('ALARM');
  });
});
