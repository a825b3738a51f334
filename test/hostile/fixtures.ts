/**
 * The state the hostile corpus attacks: a seeded embedded platform (engine started once, then
 * closed, so nothing moves during the suite), dead letters in the processing DLQ, a replay of
 * the last hour queued, an approval waiting (filed by the admin), an expired one, and an
 * Idempotency-Key already used. Built through the real route handlers where a verb exists.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { POST as startReplay } from '@/app/api/ops/replays/route';
import { POST as compensate } from '@/app/api/ops/sagas/[id]/compensation/route';
import { dlqOf } from '@/infra/embedded/db';
import { Engine } from '@/infra/embedded/engine';
import { NAMES } from '@/infra/embedded/names';
import { SqliteApprovalStore } from '@/server/approvals/store';
import { consoleDb } from '@/server/db/console-db';
import { callerOf, request } from './harness';

export interface Fixtures {
  dataDir: string;
  archive: string;
  /** A saga that succeeded (compensable). */
  saga: string;
  /** Ids of dead letters in the processing DLQ (decimal strings). */
  deadLetters: string[];
  /** A compensation waiting for approval, filed by the admin. */
  pendingByAdmin: string;
  expired: string;
  /** The queued replay of the last hour. */
  replay: string;
  usedKey: string;
}

export const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
export const lastHour = () => ({ start: hoursAgo(1), end: new Date(Date.now() - 1000).toISOString() });

function addDeadLetters(db: Database.Database, n: number): void {
  const now = Date.now();
  const insert = db.prepare(
    "INSERT INTO messages (queue, body, attributes, sent_at, enqueued_at, visible_at, receive_count, last_error, source_queue, dead, ingest_at) VALUES (?, '{}', '{}', ?, ?, ?, 5, 'test failure', 'processing', 1, ?)",
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(dlqOf('processing'), now, now, now, now);
    db.prepare(
      'INSERT INTO queue_counts (queue, total) VALUES (?, ?) ON CONFLICT(queue) DO UPDATE SET total = total + excluded.total',
    ).run(dlqOf('processing'), n);
  })();
}

export async function buildFixtures(dataDir: string): Promise<Fixtures> {
  const engine = new Engine({ dataDir, seed: true, traffic: { rate: 0 }, log: () => undefined });
  await engine.start();
  engine.close();
  const db = new Database(path.join(dataDir, 'ledgerline.db'));
  addDeadLetters(db, 3);
  const saga = db.prepare<[], { id: string }>("SELECT id FROM sagas WHERE status = 'SUCCEEDED' LIMIT 1").get()!.id;
  const deadLetters = db
    .prepare<[string], { id: number }>('SELECT id FROM messages WHERE queue = ? ORDER BY id LIMIT 3')
    .all(dlqOf('processing'))
    .map((r) => String(r.id));
  db.close();
  const archive = NAMES.archiveName;
  const ctx = { params: Promise.resolve({ id: saga }) };
  const filed = await compensate(
    await request('/x', {
      as: 'admin',
      body: { mode: 'compensate', reason: 'customer refund', ticket: 'INC-7', reverseCompleted: true },
    }),
    ctx,
  );
  const pendingByAdmin = ((await filed.json()) as { approvalId: string }).approvalId;
  const usedKey = 'hostile-key-used-once';
  const started = await startReplay(
    await request('/x', {
      as: 'operator',
      body: { archive, window: lastHour(), reason: 'reprocess after fix' },
      headers: { 'idempotency-key': usedKey },
    }),
    { params: Promise.resolve({}) },
  );
  const replay = ((await started.json()) as { result: { name: string } }).result.name;
  const expired = (
    await new SqliteApprovalStore(consoleDb(dataDir)).create(
      {
        action: 'saga.compensate',
        target: `saga:${saga}`,
        input: { sagaId: saga, mode: 'compensate', reason: 'old' },
        preview: null,
        reason: 'old',
        ticket: 'INC-1',
        requester: callerOf('operator'),
        ttlMinutes: 60,
      },
      Date.now() - 2 * 3_600_000,
    )
  ).id;
  return { dataDir, archive, saga, deadLetters, pendingByAdmin, expired, replay, usedKey };
}
