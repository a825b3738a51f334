import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EVENT_BYTES, transactionEnvelope } from '@/infra/runtime/transaction';
import { dlqOf } from './db';
import { PROCESSING, type Engine } from './engine/engine';
import { removeDataDir, startTestEngine } from './test-support';

describe('bad input', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startTestEngine('poison');
  });
  afterAll(() => {
    const dir = engine.db.name.replace(/\/ledgerline\.db$/, '');
    engine.close();
    removeDataDir(dir);
  });

  const rejectedCount = () => {
    engine.flushMetrics();
    return engine.db
      .prepare<[], { v: number }>("SELECT coalesce(sum(value), 0) AS v FROM metrics WHERE metric = 'events.rejected'")
      .get()!.v;
  };

  it('rejects malformed events, unknown event types and oversized payloads with a reason, and counts them', async () => {
    const time = new Date().toISOString();
    const tx = {
      transactionId: 'tx-ok',
      fromAccount: 'acct-0001',
      toAccount: 'acct-0002',
      amount: 100,
      currency: 'USD',
      createdAt: time,
    };
    const before = rejectedCount();
    const result = await engine.tx(() =>
      engine.putEvents([
        '{"not json',
        { id: 'e1', source: 'transaction.processing', time, detail: tx }, // no detail-type
        { ...transactionEnvelope('e2', tx, time), 'detail-type': 'AccountClosed' },
        { ...transactionEnvelope('e3', tx, time), source: 'marketing.campaigns' },
        JSON.stringify({ ...transactionEnvelope('e4', tx, time), padding: 'x'.repeat(MAX_EVENT_BYTES) }),
        transactionEnvelope('e5', tx, time),
      ]),
    );
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(result.rejected[0]!.reason).toMatch(/not valid JSON/);
    expect(result.rejected[1]!.reason).toMatch(/detail-type/);
    expect(result.rejected[2]!.reason).toMatch(/unknown detail-type "AccountClosed"/);
    expect(result.rejected[3]!.reason).toMatch(/unknown event source "marketing.campaigns"/);
    expect(result.rejected[4]!.reason).toMatch(/limit is 262144/);
    expect(rejectedCount() - before).toBe(5);
    const stored = engine.db
      .prepare<[], { code: string }>('SELECT code FROM rejected_events ORDER BY id')
      .all()
      .map((r) => r.code);
    expect(stored).toEqual(['malformed', 'malformed', 'unknown_type', 'unknown_type', 'oversized']);
  });

  it('dead-letters a poison message with its error after exactly 3 receives', async () => {
    const time = new Date().toISOString();
    const poison = {
      version: '0',
      id: 'poison-1',
      source: 'transaction.processing',
      'detail-type': 'TransactionSubmitted',
      time,
      detail: { transactionId: 'tx-poison-1', fromAccount: 'acct-0001', amount: '12.50', currency: 'USD' },
    };
    await engine.tx(() => engine.putEvents([poison]));
    const row = () =>
      engine.db
        .prepare<
          [string],
          { queue: string; receive_count: number; last_error: string | null; source_queue: string | null }
        >('SELECT queue, receive_count, last_error, source_queue FROM messages WHERE transaction_id = ?')
        .get('tx-poison-1');
    for (let receive = 1; receive <= 3; receive++) {
      expect(row()?.queue).toBe(PROCESSING);
      await engine.processOnce();
      expect(row()?.receive_count).toBe(receive);
    }
    const dead = row();
    expect(dead?.queue).toBe(dlqOf(PROCESSING));
    expect(dead?.source_queue).toBe(PROCESSING);
    expect(dead?.receive_count).toBe(3);
    expect(dead?.last_error).toMatch(/PoisonMessageError: .*detail.amount: /);
    expect(engine.db.prepare('SELECT 1 FROM sagas WHERE id = ?').get('tx-poison-1')).toBeUndefined();
  });

  it('fails a message whole, writing nothing, when its saga cannot be stored (idempotency record gone)', async () => {
    const time = new Date().toISOString();
    const tx = {
      transactionId: 'tx-twice',
      fromAccount: 'acct-0003',
      toAccount: 'acct-0004',
      amount: 500,
      currency: 'USD',
      createdAt: time,
    };
    await engine.tx(() => engine.putEvents([transactionEnvelope('first', tx, time)]));
    await engine.processOnce();
    const snapshot = () =>
      JSON.stringify([
        engine.db.prepare('SELECT id, balance, held, open_holds FROM accounts ORDER BY id').all(),
        engine.db.prepare('SELECT * FROM journal ORDER BY transaction_id, kind').all(),
        engine.db.prepare('SELECT * FROM holds ORDER BY transaction_id').all(),
        engine.db.prepare('SELECT * FROM settlements ORDER BY transaction_id').all(),
        engine.db.prepare('SELECT id, status, steps FROM sagas ORDER BY id').all(),
      ]);
    expect(engine.db.prepare('SELECT status FROM sagas WHERE id = ?').get('tx-twice')).toEqual({ status: 'SUCCEEDED' });
    const before = snapshot();
    // The record expired and was pruned; the same transaction arrives again (e.g. an old DLQ message redriven).
    engine.db.prepare('DELETE FROM idempotency WHERE key = ?').run('tx-twice');
    await engine.tx(() => engine.putEvents([transactionEnvelope('again', tx, time)]));
    const row = engine.db.prepare<[string], { receive_count: number; last_error: string | null; queue: string }>(
      "SELECT receive_count, last_error, queue FROM messages WHERE transaction_id = ? AND attributes LIKE '%again%'",
    );
    for (let receive = 1; receive <= 3; receive++) {
      await engine.processOnce();
      expect(row.get('tx-twice')?.receive_count).toBe(receive);
      expect(snapshot()).toBe(before);
    }
    expect(row.get('tx-twice')?.queue).toBe(dlqOf(PROCESSING));
    expect(row.get('tx-twice')?.last_error).toMatch(/UNIQUE constraint failed: sagas.id/);
    expect(engine.db.prepare('SELECT count(*) AS n FROM idempotency WHERE key = ?').get('tx-twice')).toEqual({ n: 0 });
  });
});
