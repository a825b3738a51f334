/**
 * The message-move tasks (redrives) loop: moves DLQ messages back to their source queue, all of
 * them or the chosen ones, at an optional rate. The console writes the task rows (start, cancel);
 * every state change here names the state it leaves, so a cancel is never overwritten.
 */
import { dlqOf } from './db';
import type { EngineContext } from './engine-context';

export class Redrives {
  /** Per rate-limited redrive task: its unspent tokens at `at` (see redriveTokens). */
  private readonly redriveBuckets = new Map<string, { at: number; tokens: number }>();
  private readonly activeRedrives;
  private readonly redrive;
  private readonly endRedrive;
  private readonly redriveProgress;

  constructor(private readonly ctx: EngineContext) {
    const { db } = ctx;
    this.activeRedrives = db
      .prepare<[], string>("SELECT id FROM redrive_tasks WHERE status IN ('RUNNING', 'CANCELLING')")
      .pluck();
    this.redrive = db.prepare<
      [string],
      {
        id: string;
        queue_id: string;
        status: string;
        moved: number;
        total: number;
        rate: number | null;
        message_ids: string | null;
        class_ids: string | null;
        started_at: number;
      }
    >(
      'SELECT id, queue_id, status, moved, total, rate, message_ids, class_ids, started_at FROM redrive_tasks WHERE id = ?',
    );
    // Every transition names the state it leaves: the console writes these rows too.
    this.endRedrive = db.prepare(
      'UPDATE redrive_tasks SET status = ?, ended_at = ?, failure_reason = ? WHERE id = ? AND status = ?',
    );
    this.redriveProgress = db.prepare("UPDATE redrive_tasks SET moved = moved + ? WHERE id = ? AND status = 'RUNNING'");
  }

  /**
   * One step of every active redrive. Each task is read again inside its write transaction (the
   * console cancels from another process between the list and the transaction), and every state
   * change names the state it leaves, so a cancel is never overwritten.
   */
  async step(): Promise<number> {
    const ids = this.activeRedrives.all();
    let moved = 0;
    for (const id of ids) {
      moved += await this.ctx.tx(() => {
        const t = this.redrive.get(id);
        if (!t || (t.status !== 'RUNNING' && t.status !== 'CANCELLING')) {
          this.redriveBuckets.delete(id);
          return 0;
        }
        const now = this.ctx.now();
        if (t.status === 'CANCELLING') {
          this.endRedrive.run('CANCELLED', now, null, t.id, 'CANCELLING');
          this.redriveBuckets.delete(id);
          return 0;
        }
        const complete = () => {
          this.endRedrive.run('COMPLETED', now, null, t.id, 'RUNNING');
          this.redriveBuckets.delete(id);
        };
        // Never more than the task counted when it started (the same selection: see startRedrive).
        let allowed = Math.min(10_000, t.total - t.moved);
        if (allowed <= 0) {
          complete();
          return 0;
        }
        let tokens = 0;
        if (t.rate !== null) {
          tokens = this.redriveTokens(t.id, t.rate, t.started_at, t.moved, now);
          // (The epsilon: a sum of fractions such as 100 × 0.21 lands just below 21.)
          allowed = Math.min(allowed, Math.floor(tokens + 1e-9));
          if (allowed <= 0) {
            this.redriveBuckets.set(id, { at: now, tokens });
            return 0;
          }
        }
        const dlq = dlqOf(t.queue_id);
        // "All": what had arrived in the DLQ when the task started (dead-lettering keeps the
        // source message id, so the arrival time, not the id, tells what came later).
        const rows = t.message_ids
          ? this.ctx.db
              .prepare<[string, string, number], { id: number }>(
                'SELECT m.id FROM messages m JOIN json_each(?) j ON m.id = CAST(j.value AS INTEGER) WHERE m.queue = ? ORDER BY m.id LIMIT ?',
              )
              .all(t.message_ids, dlq, allowed)
          : t.class_ids
            ? // Chosen classes: what of them had arrived when the task started (the failure index).
              this.ctx.db
                .prepare<[string, string, string, number, number], { id: number }>(
                  `SELECT m.id FROM failure_index f JOIN messages m ON m.id = f.message_id
                   WHERE f.queue_id = ? AND f.class_id IN (SELECT value FROM json_each(?)) AND m.queue = ? AND m.enqueued_at <= ?
                   ORDER BY m.id LIMIT ?`,
                )
                .all(t.queue_id, t.class_ids, dlq, t.started_at, allowed)
            : this.ctx.db
                .prepare<[string, number, number], { id: number }>(
                  'SELECT id FROM messages WHERE queue = ? AND enqueued_at <= ? ORDER BY enqueued_at, id LIMIT ?',
                )
                .all(dlq, t.started_at, allowed);
        if (rows.length === 0) {
          complete();
          return 0;
        }
        if (this.redriveProgress.run(rows.length, t.id).changes === 0) return 0;
        if (t.rate !== null) this.redriveBuckets.set(id, { at: now, tokens: tokens - rows.length });
        const idList = JSON.stringify(rows.map((r) => r.id));
        // New message ids in the source queue (as SQS does); the receive count starts again.
        const inserted = this.ctx.db
          .prepare(
            `INSERT INTO messages (queue, body, attributes, transaction_id, sent_at, enqueued_at, visible_at, receive_count, last_error, ingest_at)
             SELECT coalesce(source_queue, ?), body, attributes, transaction_id, sent_at, ?, ?, 0, last_error, ? FROM messages WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
          )
          .run(t.queue_id, now, now, now, idList);
        this.recordMoved(t.id, Number(inserted.lastInsertRowid), inserted.changes);
        this.ctx.db.prepare('DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))').run(idList);
        this.ctx.bumpQueue(dlq, -rows.length);
        this.ctx.bumpQueue(t.queue_id, rows.length);
        if (t.moved + rows.length >= t.total || (t.message_ids === null && rows.length < allowed && t.rate === null))
          complete();
        return rows.length;
      });
    }
    return moved;
  }

  /**
   * The messages a rate-limited redrive may move now: a token bucket holding at most one second
   * of its rate (SQS's MaxNumberOfMessagesPerSecond is a maximum, also after a stall), with the
   * fraction carried from step to step so that the steady throughput equals the rate. A task
   * this process has not stepped yet (new, or after a restart) starts from its progress since it
   * began, capped the same way.
   */
  private redriveTokens(id: string, rate: number, startedAt: number, moved: number, now: number): number {
    const b = this.redriveBuckets.get(id);
    const tokens = b
      ? b.tokens + (rate * Math.max(0, now - b.at)) / 1000
      : (rate * Math.max(0, now - startedAt)) / 1000 - moved;
    return Math.max(0, Math.min(tokens, rate));
  }

  /**
   * Records the messages one step moved (for the task's outcome): the rows one INSERT … SELECT
   * added inside this write transaction, i.e. the ids up to the last inserted one.
   */
  private recordMoved(taskId: string, lastId: number, count: number): void {
    if (count <= 0) return;
    this.ctx.db
      .prepare(
        `INSERT OR IGNORE INTO redrive_moved (task_id, message_id, transaction_id)
         SELECT ?, id, transaction_id FROM messages WHERE id > ? AND id <= ?`,
      )
      .run(taskId, lastId - count, lastId);
  }
}
