import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EVENT_BYTES, transactionEnvelope } from '@/infra/runtime/transaction';
import { dlqOf } from './db';
import { type Engine } from './engine';
import { PROCESSING } from './names';
import { removeDataDir, startTestEngine } from './test-support';

describe('bad input', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startTestEngine('poison', { trackLatency: true });
  });
  afterAll(() => {
    const dir = engine.db.name.replace(/\/ledgerline\.db$/, '');
    engine.close();
    removeDataDir(dir);
  });

  const metricSum = (id: string) => {
    engine.flushMetrics();
    return engine.db
      .prepare<[string], { v: number }>('SELECT coalesce(sum(value), 0) AS v FROM metrics WHERE metric = ?')
      .get(id)!.v;
  };
  const rejectedCount = () => metricSum('events.rejected');

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

  const ledgerSnapshot = () =>
    JSON.stringify([
      engine.db.prepare('SELECT id, balance, held, open_holds FROM accounts ORDER BY id').all(),
      engine.db.prepare('SELECT * FROM journal ORDER BY transaction_id, kind').all(),
      engine.db.prepare('SELECT * FROM holds ORDER BY transaction_id').all(),
      engine.db.prepare('SELECT * FROM settlements ORDER BY transaction_id').all(),
      engine.db.prepare('SELECT id, status, steps FROM sagas ORDER BY id').all(),
    ]);
  const transfer = (transactionId: string, amount = 500) => ({
    transactionId,
    fromAccount: 'acct-0003',
    toAccount: 'acct-0004',
    amount,
    currency: 'USD',
    createdAt: new Date().toISOString(),
  });
  const messageOf = (transactionId: string, eventId: string) =>
    engine.db
      .prepare<[string, string], { receive_count: number; last_error: string | null; queue: string }>(
        'SELECT receive_count, last_error, queue FROM messages WHERE transaction_id = ? AND attributes LIKE ?',
      )
      .get(transactionId, `%${eventId}%`);

  it('starts nothing for an applied transaction that comes again after its idempotency record expired, as StartExecution does for the same name and input', async () => {
    const tx = transfer('tx-again-same');
    const time = tx.createdAt;
    await engine.tx(() => engine.putEvents([transactionEnvelope('first-same', tx, time)]));
    await engine.processOnce();
    expect(engine.db.prepare('SELECT status FROM sagas WHERE id = ?').get(tx.transactionId)).toEqual({
      status: 'SUCCEEDED',
    });
    const before = ledgerSnapshot();
    // The record expired and was pruned; the same transaction arrives again (e.g. an old DLQ message redriven).
    engine.db.prepare('DELETE FROM idempotency WHERE key = ?').run(tx.transactionId);
    await engine.tx(() => engine.putEvents([transactionEnvelope('again-same', tx, time)]));
    const processed = engine.counts.processed;
    await engine.processOnce();
    expect(messageOf(tx.transactionId, 'again-same')).toBeUndefined(); // consumed, not retried
    expect(engine.counts.processed).toBe(processed + 1);
    expect(ledgerSnapshot()).toBe(before);
    expect(engine.db.prepare('SELECT status, result FROM idempotency WHERE key = ?').get(tx.transactionId)).toEqual({
      status: 'COMPLETED',
      result: JSON.stringify({ sagaId: tx.transactionId }),
    });
  });

  it('sends the same transaction id with other content to the DLQ after exactly 3 receives, applying nothing', async () => {
    const tx = transfer('tx-again-other');
    await engine.tx(() => engine.putEvents([transactionEnvelope('first-other', tx, tx.createdAt)]));
    await engine.processOnce();
    const before = ledgerSnapshot();
    engine.db.prepare('DELETE FROM idempotency WHERE key = ?').run(tx.transactionId);
    const other = { ...tx, amount: 900 };
    await engine.tx(() => engine.putEvents([transactionEnvelope('again-other', other, other.createdAt)]));
    for (let receive = 1; receive <= 3; receive++) {
      await engine.processOnce();
      expect(messageOf(tx.transactionId, 'again-other')?.receive_count).toBe(receive);
      expect(ledgerSnapshot()).toBe(before);
    }
    const dead = messageOf(tx.transactionId, 'again-other');
    expect(dead?.queue).toBe(dlqOf(PROCESSING));
    expect(dead?.last_error).toBe(
      'PoisonMessageError: transaction tx-again-other already has a saga (tx-again-other) started with different content',
    );
    expect(engine.db.prepare('SELECT count(*) AS n FROM idempotency WHERE key = ?').get(tx.transactionId)).toEqual({
      n: 0,
    });
  });

  it('dead-letters the same transaction id with other content while its idempotency record is live, as the Lambda does; the same content stays a suppressed duplicate', async () => {
    const tx = transfer('tx-live-other');
    await engine.tx(() => engine.putEvents([transactionEnvelope('live-first', tx, tx.createdAt)]));
    await engine.processOnce();
    const record = engine.db.prepare('SELECT status, result FROM idempotency WHERE key = ?').get(tx.transactionId);
    expect(record).toMatchObject({ status: 'COMPLETED' });
    const before = ledgerSnapshot();
    const duplicatesBefore = engine.counts.duplicates;
    // Same transaction again (a redelivery, a replay): a duplicate, applied nothing, not dead-lettered.
    await engine.tx(() => engine.putEvents([transactionEnvelope('live-same', tx, tx.createdAt)]));
    await engine.processOnce();
    expect(engine.counts.duplicates).toBe(duplicatesBefore + 1);
    expect(messageOf(tx.transactionId, 'live-same')).toBeUndefined();
    // Same id, other amount: refused on each receive, dead-lettered after the third.
    const other = { ...tx, amount: 901 };
    await engine.tx(() => engine.putEvents([transactionEnvelope('live-other', other, other.createdAt)]));
    for (let receive = 1; receive <= 3; receive++) {
      await engine.processOnce();
      expect(messageOf(tx.transactionId, 'live-other')?.receive_count).toBe(receive);
      expect(ledgerSnapshot()).toBe(before);
    }
    const dead = messageOf(tx.transactionId, 'live-other');
    expect(dead?.queue).toBe(dlqOf(PROCESSING));
    expect(dead?.last_error).toBe(
      'PoisonMessageError: transaction tx-live-other already has a saga (tx-live-other) started with different content',
    );
    expect(engine.counts.duplicates).toBe(duplicatesBefore + 1);
    // The first transaction's record is kept.
    expect(engine.db.prepare('SELECT status, result FROM idempotency WHERE key = ?').get(tx.transactionId)).toEqual(
      record,
    );
  });

  it('fails only the message whose saga row cannot be written: the rest of its batch is applied, it goes to the DLQ after 3 receives', async () => {
    // A write that fails at the batch's flush rolls the whole batch back; the engine then runs the
    // batch's messages one transaction each, so only the failing one is retried.
    engine.db.exec(
      "CREATE TRIGGER refuse_saga BEFORE INSERT ON sagas WHEN NEW.id = 'tx-unwritable' BEGIN SELECT RAISE(ABORT, 'saga row refused'); END",
    );
    try {
      const good = ['tx-batchmate-1', 'tx-batchmate-2', 'tx-batchmate-3'].map((id) => transfer(id, 100));
      const bad = transfer('tx-unwritable', 100);
      const time = bad.createdAt;
      await engine.tx(() =>
        engine.putEvents([good[0]!, bad, good[1]!, good[2]!].map((t, i) => transactionEnvelope(`batch-${i}`, t, time))),
      );
      const journalBefore = engine.db.prepare('SELECT count(*) AS n FROM journal').get();
      const counted = ['processor.processed', 'processor.errors', 'saga.started', 'saga.succeeded'] as const;
      const metricsBefore = counted.map(metricSum);
      const countsBefore = { ...engine.counts };
      const latenciesBefore = engine.latencies.length;
      for (let receive = 1; receive <= 3; receive++) {
        await engine.processOnce();
        expect(messageOf('tx-unwritable', 'batch-1')?.receive_count).toBe(receive);
        expect(messageOf('tx-unwritable', 'batch-1')?.last_error).toBe('SqliteError: saga row refused');
      }
      expect(messageOf('tx-unwritable', 'batch-1')?.queue).toBe(dlqOf(PROCESSING));
      for (const t of good)
        expect(engine.db.prepare('SELECT status FROM sagas WHERE id = ?').get(t.transactionId)).toEqual({
          status: 'SUCCEEDED',
        });
      expect(engine.db.prepare('SELECT count(*) AS n FROM journal').get()).toEqual({
        n: (journalBefore as { n: number }).n + good.length,
      });
      expect(engine.db.prepare("SELECT count(*) AS n FROM holds WHERE transaction_id = 'tx-unwritable'").get()).toEqual(
        {
          n: 0,
        },
      );
      expect(engine.db.prepare("SELECT count(*) AS n FROM idempotency WHERE key = 'tx-unwritable'").get()).toEqual({
        n: 0,
      });
      // What the rolled-back batch counted is not counted: each batchmate once, each failed receive once.
      expect(counted.map((id, i) => metricSum(id) - metricsBefore[i]!)).toEqual([3, 3, 3, 3]);
      expect(engine.counts.processed - countsBefore.processed).toBe(3);
      expect(engine.counts.sagasEnded - countsBefore.sagasEnded).toBe(3);
      expect(engine.counts.failedMessages - countsBefore.failedMessages).toBe(3);
      expect(engine.latencies.length - latenciesBefore).toBe(3);
    } finally {
      engine.db.exec('DROP TRIGGER refuse_saga');
    }
  });
});
