import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTransactionEvent } from '@/infra/runtime/transaction';
import type { Caller } from '@/server/auth/permissions.schema';
import { dlqOf } from '../../../infra/embedded/db';
import { type Engine } from '../../../infra/embedded/engine';
import { PROCESSING } from '../../../infra/embedded/names';
import { balances, reconcile } from '../../../infra/embedded/reconcile';
import { removeDataDir, startTestEngine } from '../../../infra/embedded/test-support';
import type { TrafficKnobs } from '../../../infra/embedded/traffic.schema';
import { createLocalPlatform } from './adapter';

const operator: Caller = { id: 'conservation-test', name: 'Conservation test', role: 'operator' };

describe('money conservation under every fault', () => {
  let engine: Engine;
  let dataDir: string;
  const faults = { poisonRatio: 0.05, insufficientFundsRatio: 0.1, duplicateRatio: 0.1 };
  const phases: Partial<TrafficKnobs>[] = [
    { ...faults, outageStep: 'SettlePayment' },
    { ...faults, outageStep: 'Notify' },
    { ...faults, outageStep: 'ReserveFunds' },
    { ...faults, outageStep: 'VoidSettlement' },
    { ...faults, outageStep: 'ReverseLedger' },
    { ...faults, slowConsumerMs: 2, outageStep: null },
  ];

  beforeAll(async () => {
    engine = await startTestEngine('conservation', { retryTimeScale: 0.002, breakerOpenMs: 10, batchSize: 100 });
    dataDir = engine.db.name.replace(/\/ledgerline\.db$/, '');
    for (const phase of phases) {
      engine.setKnobs(phase);
      for (let i = 0; i < 8; i++) {
        const events = engine.makeTraffic(50);
        await engine.tx(() => engine.putEvents(events));
        await engine.tick({ generate: false });
      }
      for (let i = 0; i < 20; i++) await engine.tick({ generate: false });
    }
    engine.setKnobs({ outageStep: null, slowConsumerMs: 0 });
    await engine.drain(60_000);
    // Compensations that failed for good during the outages are resumed by an operator.
    const platform = createLocalPlatform({ dataDir });
    const failed = engine.db.prepare<[], { id: string }>("SELECT id FROM sagas WHERE status = 'FAILED'").all();
    for (const f of failed)
      await platform.compensate(operator, { sagaId: f.id, mode: 'resume', reason: 'outage over: resume compensation' });
    await engine.drain(60_000);
  });

  afterAll(() => {
    engine.close();
    removeDataDir(dataDir);
  });

  it('keeps the sum of balances unchanged and every account equal to its journal', () => {
    const r = reconcile(engine.db);
    expect(r.totalBalance).toBe(r.expectedTotal);
    expect(r.accountsMismatched).toBe(0);
    expect(r.heldMismatched).toBe(0);
    expect(r.orphanEffects).toBe(0);
  });

  it('applies every accepted transaction fully once or compensates it fully', () => {
    const r = reconcile(engine.db);
    expect(r.inconsistentSample).toEqual([]);
    expect(Object.keys(r.sagasByStatus).sort()).toEqual(['COMPENSATED', 'SUCCEEDED']);
    // Every valid archived transaction has exactly one saga; every poison one is in the DLQ.
    const archived = engine.db.prepare<[], { body: string }>('SELECT body FROM archive').all();
    const valid = new Set<string>();
    const poison = new Set<string>();
    for (const a of archived) {
      const p = parseTransactionEvent(a.body);
      if (p.ok) valid.add(p.event.transaction.transactionId);
      else poison.add((JSON.parse(a.body) as { detail: { transactionId: string } }).detail.transactionId);
    }
    const sagas = new Set(
      engine.db
        .prepare<[], { id: string }>('SELECT id FROM sagas')
        .all()
        .map((s) => s.id),
    );
    expect(sagas).toEqual(valid);
    expect(r.sagasByStatus.COMPENSATED).toBeGreaterThan(0);
    expect(r.sagasByStatus.SUCCEEDED).toBeGreaterThan(0);
    const dead = engine.db
      .prepare<[string], { transaction_id: string; receive_count: number }>(
        'SELECT transaction_id, receive_count FROM messages WHERE queue = ?',
      )
      .all(dlqOf(PROCESSING));
    expect(new Set(dead.map((d) => d.transaction_id))).toEqual(poison);
    expect(dead.every((d) => d.receive_count === 3)).toBe(true);
    expect(engine.counts.duplicates).toBeGreaterThan(0);
  });

  it('applies nothing twice after a redrive of the DLQ and a replay of the same window', async () => {
    const platform = createLocalPlatform({ dataDir });
    const before = balances(engine.db);
    const sagasBefore = engine.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sagas').get()!.n;
    const deadBefore = engine.db
      .prepare<[string], { n: number }>('SELECT count(*) AS n FROM messages WHERE queue = ?')
      .get(dlqOf(PROCESSING))!.n;

    const task = await platform.startRedrive(operator, { queueId: PROCESSING });
    expect(task.total).toBe(deadBefore);
    await engine.drain(60_000);
    expect((await platform.getRedrive(operator, task.id))?.status).toBe('COMPLETED');
    // Poison messages fail again and return to the DLQ after 3 more receives.
    expect(
      engine.db
        .prepare<[string], { n: number }>('SELECT count(*) AS n FROM messages WHERE queue = ?')
        .get(dlqOf(PROCESSING))!.n,
    ).toBe(deadBefore);

    const first = engine.db.prepare<[], { t: number }>('SELECT min(time) AS t FROM archive').get()!.t;
    const duplicatesBefore = engine.counts.duplicates;
    const archived = engine.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM archive').get()!.n;
    const replay = await platform.startReplay(operator, {
      archive: 'ledgerline-local-archive',
      window: { start: new Date(first - 1000).toISOString(), end: new Date(Date.now() + 1000).toISOString() },
    });
    await engine.drain(60_000);
    const done = await platform.getReplay(operator, replay.name);
    expect(done?.state).toBe('COMPLETED');
    expect(done?.eventsReplayed).toBe(archived);
    // Replayed events are not archived again.
    expect(engine.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM archive').get()!.n).toBe(archived);
    expect(engine.counts.duplicates - duplicatesBefore).toBeGreaterThan(0);

    expect(balances(engine.db)).toEqual(before);
    expect(engine.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sagas').get()!.n).toBe(sagasBefore);
    const r = reconcile(engine.db);
    expect(r.balanced).toBe(true);
    expect(r.accountsMismatched + r.heldMismatched + r.inconsistent + r.orphanEffects).toBe(0);
  });
});
