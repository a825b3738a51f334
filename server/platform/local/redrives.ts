import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Caller } from '@/server/auth/permissions.schema';
import { dlqOf, type Db } from '../../../infra/embedded/db';
import { MAX_REDRIVE_RATE, OUTCOME_SETTLE_MS } from '../../../infra/platform/limits';
import { localMessageIdSchema, type ListPageInput, type StartRedriveInput } from '../inputs.schema';
import type { Page, RedriveTask, TaskOutcome } from '../platform.schema';
import { PlatformError } from '../port';
import { iso, isoOrNull, type LocalContext } from './context';
import { clampLimit, decodeCursor, isNum, pageOf } from './paging';
import { requireQueue } from './queues';

interface RedriveRow {
  seq: number;
  id: string;
  queue_id: string;
  status: RedriveTask['status'];
  moved: number;
  total: number;
  rate: number | null;
  selection: 'all' | 'selected' | 'classes';
  class_ids: string | null;
  started_at: number;
  ended_at: number | null;
  started_by: string | null;
  failure_reason: string | null;
}

/**
 * Redrive tasks: read from `redrive_tasks`; started and cancelled by writing rows there, which
 * the engine's move-task loop picks up.
 */
export function createRedrives(ctx: LocalContext) {
  const { db, region, now, immediate } = ctx;
  const s = {
    redrive: db.prepare<[string], RedriveRow>('SELECT * FROM redrive_tasks WHERE id = ?'),
    maxDlqId: db.prepare<[string], { id: number | null }>('SELECT max(id) AS id FROM messages WHERE queue = ?'),
    dlqLastArrival: db.prepare<[string], { at: number | null }>(
      'SELECT max(enqueued_at) AS at FROM messages WHERE queue = ?',
    ),
    dlqArrivedBy: db.prepare<[string, number], { n: number }>(
      'SELECT count(*) AS n FROM messages WHERE queue = ? AND enqueued_at <= ?',
    ),
    insertRedrive: db.prepare(
      "INSERT INTO redrive_tasks (id, queue_id, status, moved, total, rate, selection, message_ids, class_ids, cutoff_id, started_at, started_by) VALUES (?, ?, 'RUNNING', 0, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    classArrivedBy: db.prepare<[string, string, string, number], { n: number }>(
      `SELECT count(*) AS n FROM failure_index f JOIN messages m ON m.id = f.message_id
       WHERE f.queue_id = ? AND f.class_id IN (SELECT value FROM json_each(?)) AND m.queue = ? AND m.enqueued_at <= ?`,
    ),
    cancelRedrive: db.prepare("UPDATE redrive_tasks SET status = 'CANCELLING' WHERE id = ? AND status = 'RUNNING'"),
  };

  function toRedrive(r: RedriveRow): RedriveTask {
    return {
      id: r.id,
      queueId: r.queue_id,
      region,
      status: r.status,
      moved: r.moved,
      total: r.total,
      rate: r.rate,
      selection: r.selection,
      ...(r.class_ids ? { classIds: JSON.parse(r.class_ids) as string[] } : {}),
      startedAt: iso(r.started_at),
      endedAt: isoOrNull(r.ended_at),
      startedBy: r.started_by,
      failureReason: r.failure_reason,
      outcome: redriveOutcome(db, r, now()),
    };
  }

  /** What a redrive of `dlq` moves (its start instant, count and ids): called inside the write lock. */
  function selection(dlq: string, input: StartRedriveInput) {
    // The start instant, read inside the write lock: what dead-letters later arrives after it.
    let startedAt = now();
    let total: number;
    let ids: string | null = null;
    let classIds: string | null = null;
    if (input.messageIds && input.classIds)
      throw new PlatformError('Invalid', 'classIds: choose messages or classes, not both', 'classIds');
    if (input.classIds) {
      // The chosen classes' dead letters that arrived by the start (the engine moves the same).
      classIds = JSON.stringify(input.classIds);
      startedAt = Math.max(startedAt, s.dlqLastArrival.get(dlq)?.at ?? startedAt);
      total = s.classArrivedBy.get(input.queueId, classIds, dlq, startedAt)?.n ?? 0;
      if (total === 0)
        throw new PlatformError(
          'Conflict',
          `the ${input.queueId} DLQ holds no dead letters of the chosen classes: nothing to redrive`,
          'classIds',
        );
    } else if (input.messageIds) {
      // The strict form only ("11", never "0xb", "1e1" or " 11"), each once.
      const bad = input.messageIds.findIndex((m) => !localMessageIdSchema.safeParse(m).success);
      if (bad >= 0)
        throw new PlatformError(
          'Invalid',
          `messageIds.${bad}: ${JSON.stringify(input.messageIds[bad]!.slice(0, 100))} is not a local message id (a decimal integer)`,
          `messageIds.${bad}`,
        );
      const numeric = input.messageIds.map((m) => Number(m));
      const repeated = numeric.findIndex((n, i) => numeric.indexOf(n) !== i);
      if (repeated >= 0)
        throw new PlatformError(
          'Invalid',
          `messageIds.${repeated}: ${input.messageIds[repeated]} is repeated: select each message once`,
          `messageIds.${repeated}`,
        );
      ids = JSON.stringify(numeric);
      total =
        db
          .prepare<[string, string], { n: number }>(
            'SELECT count(*) AS n FROM messages WHERE queue = ? AND id IN (SELECT value FROM json_each(?))',
          )
          .get(dlq, ids)?.n ?? 0;
      if (total !== numeric.length)
        throw new PlatformError(
          'NotFound',
          `${numeric.length - total} of the selected messages are not in the DLQ`,
          'messageIds',
        );
    } else {
      // "All" is what has arrived in the DLQ by the start (arrival time: deadLetter sets
      // enqueued_at; it keeps the source message id, so an id cutoff would take later ones).
      // The engine moves the same selection. A DLQ message stamped after the start by a clock
      // running ahead moves the start up to it, so that everything present is counted.
      startedAt = Math.max(startedAt, s.dlqLastArrival.get(dlq)?.at ?? startedAt);
      total = s.dlqArrivedBy.get(dlq, startedAt)?.n ?? 0;
      if (total === 0)
        throw new PlatformError('Conflict', `the ${input.queueId} DLQ is empty: nothing to redrive`, 'queueId');
    }
    return { startedAt, total, ids, classIds };
  }

  return {
    listRedrives(input: ListPageInput & { queueId?: string }): Page<RedriveTask> {
      const limit = clampLimit(input.limit);
      const after = decodeCursor(input.cursor, isNum);
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (input.queueId) {
        where.push('queue_id = ?');
        params.push(input.queueId);
      }
      if (after !== null) {
        where.push('seq < ?');
        params.push(after);
      }
      const rows = db
        .prepare<(string | number)[], RedriveRow>(
          `SELECT * FROM redrive_tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
        )
        .all(...params, limit + 1);
      return pageOf(rows, limit, toRedrive, (last) => last.seq);
    },

    getRedrive(id: string): RedriveTask | null {
      const r = s.redrive.get(id);
      return r ? toRedrive(r) : null;
    },

    startRedrive(caller: Caller, input: StartRedriveInput): RedriveTask {
      requireQueue(input.queueId);
      if (
        input.rate !== undefined &&
        (!Number.isInteger(input.rate) || input.rate < 1 || input.rate > MAX_REDRIVE_RATE)
      )
        throw new PlatformError(
          'Invalid',
          `rate must be an integer between 1 and ${MAX_REDRIVE_RATE} messages/s`,
          'rate',
        );
      const dlq = dlqOf(input.queueId);
      const id = `redrive-${randomUUID()}`;
      return immediate(() => {
        const { startedAt, total, ids, classIds } = selection(dlq, input);
        const cutoff = s.maxDlqId.get(dlq)?.id ?? 0;
        try {
          s.insertRedrive.run(
            id,
            input.queueId,
            total,
            input.rate ?? null,
            ids ? 'selected' : classIds ? 'classes' : 'all',
            ids,
            classIds,
            cutoff,
            startedAt,
            caller.id,
          );
        } catch (e) {
          if (e instanceof Error && /UNIQUE/.test(e.message))
            throw new PlatformError(
              'Conflict',
              `a redrive task is already running for the ${input.queueId} DLQ`,
              'queueId',
            );
          throw e;
        }
        return toRedrive(s.redrive.get(id)!);
      });
    },

    cancelRedrive(id: string): RedriveTask {
      return immediate(() => {
        const r = s.redrive.get(id);
        if (!r) throw new PlatformError('NotFound', `redrive task ${id} does not exist`, 'id');
        if (r.status !== 'RUNNING')
          throw new PlatformError(
            'Conflict',
            `redrive task ${id} is ${r.status}: only a RUNNING task can be cancelled`,
            'id',
          );
        s.cancelRedrive.run(id);
        return toRedrive(s.redrive.get(id)!);
      });
    },
  };
}

/**
 * What a redrive's moved messages became, by message id (dead-lettering keeps it) and transaction
 * id (a deleted message's id can be reused) through the failure index: processed = left the
 * source queue; back in the DLQ = indexed as a dead letter again; applied = the rest.
 */
function redriveOutcome(db: Db, r: RedriveRow, now: number): TaskOutcome {
  const c = db
    .prepare<[number, string], { sent: number; waiting: number; back: number }>(
      `SELECT count(*) AS sent,
         coalesce(sum(EXISTS (SELECT 1 FROM messages m WHERE m.id = r.message_id AND m.dead = 0
           AND m.transaction_id IS r.transaction_id)), 0) AS waiting,
         coalesce(sum(EXISTS (SELECT 1 FROM failure_index f WHERE f.message_id = r.message_id
           AND f.transaction_id IS r.transaction_id AND f.at >= ?)), 0) AS back
       FROM redrive_moved r WHERE r.task_id = ?`,
    )
    .get(r.started_at, r.id) ?? { sent: 0, waiting: 0, back: 0 };
  const processed = c.sent - c.waiting;
  const ended = r.ended_at !== null && r.status !== 'RUNNING' && r.status !== 'CANCELLING';
  return {
    sent: c.sent,
    processed,
    applied: Math.max(0, processed - c.back),
    backInDlq: c.back,
    settled: ended && (c.waiting === 0 || now >= r.ended_at! + OUTCOME_SETTLE_MS),
    basis: 'moved messages by id and transaction id through the failure index',
  };
}
