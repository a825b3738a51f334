import 'server-only';
/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; its methods implement an async port */
import type { ConsoleDb } from './console-db';
import {
  summaryOf,
  type RedriveFinish,
  type RedriveProgress,
  type RedriveStore,
  type StoredRedrive,
  type StoredRedriveStatus,
  type StoredRedriveSummary,
} from './redrive-store';

/**
 * Redrive records in console.db (the `redrives` table of migration 4). Every status move is ONE
 * UPDATE whose WHERE holds the port's condition, so it is atomic across the console's handlers and
 * processes sharing the file; `RETURNING *` gives the row as the write left it, with no second read
 * another writer could slip in front of.
 */
interface Row {
  id: string;
  queue_id: string;
  source_arn: string;
  region: string;
  created_at: number;
  started_by: string | null;
  started_at: number | null;
  requested_at: number | null;
  accepted_at: number | null;
  depth_before: number | null;
  status: StoredRedriveStatus | null;
  moved: number | null;
  total: number | null;
  rate: number | null;
  selection: 'selected' | 'classes' | null;
  class_ids: string | null;
  ended_at: number | null;
  failure_reason: string | null;
  heartbeat_at: number | null;
  hold_seconds: number | null;
  moved_tx: string | null;
}

const LIVE = "status IN ('RUNNING', 'CANCELLING')";

/** Every column but the moved ids (a listing's read; the JSON list can be 400 KB). */
const SUMMARY_COLUMNS = `id, queue_id, source_arn, region, created_at, started_by, started_at, requested_at,
  accepted_at, depth_before, status, moved, total, rate, selection, class_ids, ended_at, failure_reason,
  heartbeat_at, hold_seconds, NULL AS moved_tx`;

function toRedrive(r: Row): StoredRedrive {
  return {
    id: r.id,
    queueId: r.queue_id,
    sourceArn: r.source_arn,
    region: r.region,
    createdAtMs: r.created_at,
    startedBy: r.started_by,
    startedAtMs: r.started_at,
    requestedAtMs: r.requested_at,
    acceptedAtMs: r.accepted_at,
    depthBefore: r.depth_before,
    // A message-move task has no status of its own here (SQS reports it): its selected columns are NULL.
    selected:
      r.status === null
        ? null
        : {
            status: r.status,
            moved: r.moved ?? 0,
            total: r.total ?? 0,
            rate: r.rate,
            selection: r.selection ?? 'selected',
            classIds: r.class_ids === null ? null : (JSON.parse(r.class_ids) as string[]),
            endedAtMs: r.ended_at,
            failureReason: r.failure_reason,
            heartbeatAtMs: r.heartbeat_at ?? 0,
            holdSeconds: r.hold_seconds,
            movedTransactions: r.moved_tx === null ? [] : (JSON.parse(r.moved_tx) as (string | null)[]),
          },
  };
}

function isPrimaryKeyConflict(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export class SqliteRedriveStore implements RedriveStore {
  constructor(private readonly db: ConsoleDb) {}

  async create(record: StoredRedrive): Promise<void> {
    const s = record.selected;
    try {
      this.db
        .prepare(
          `INSERT INTO redrives (id, queue_id, source_arn, region, created_at, started_by, started_at, requested_at,
             accepted_at, depth_before, status, moved, total, rate, selection, class_ids, ended_at, failure_reason,
             heartbeat_at, hold_seconds, moved_tx)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          record.id,
          record.queueId,
          record.sourceArn,
          record.region,
          record.createdAtMs,
          record.startedBy,
          record.startedAtMs,
          record.requestedAtMs,
          record.acceptedAtMs,
          record.depthBefore,
          s?.status ?? null,
          s?.moved ?? null,
          s?.total ?? null,
          s?.rate ?? null,
          s?.selection ?? null,
          s?.classIds ? JSON.stringify(s.classIds) : null,
          s?.endedAtMs ?? null,
          s?.failureReason ?? null,
          s?.heartbeatAtMs ?? null,
          s?.holdSeconds ?? null,
          s ? JSON.stringify(s.movedTransactions) : null,
        );
    } catch (error) {
      if (isPrimaryKeyConflict(error)) throw new Error(`redrives: a record ${record.id} exists already`);
      throw error;
    }
  }

  async get(id: string): Promise<StoredRedrive | null> {
    const row = this.db.prepare<[string], Row>('SELECT * FROM redrives WHERE id = ?').get(id);
    return row ? toRedrive(row) : null;
  }

  async summary(id: string): Promise<StoredRedriveSummary | null> {
    const row = this.db.prepare<[string], Row>(`SELECT ${SUMMARY_COLUMNS} FROM redrives WHERE id = ?`).get(id);
    return row ? summaryOf(toRedrive(row)) : null;
  }

  async recent(queueId: string, limit: number): Promise<StoredRedriveSummary[]> {
    if (limit <= 0) return [];
    return this.db
      .prepare<[string, number], Row>(
        `SELECT ${SUMMARY_COLUMNS} FROM redrives WHERE queue_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(queueId, limit)
      .map((row) => summaryOf(toRedrive(row)));
  }

  async setStarted(id: string, startedAtMs: number): Promise<boolean> {
    const { changes } = this.db
      .prepare('UPDATE redrives SET started_at = ? WHERE id = ? AND started_at IS NULL')
      .run(startedAtMs, id);
    return changes === 1;
  }

  async progress(id: string, p: RedriveProgress): Promise<StoredRedrive | null> {
    const row = this.db
      .prepare<[number, number, number | null, string, string], Row>(
        `UPDATE redrives SET moved = ?, heartbeat_at = ?, hold_seconds = COALESCE(?, hold_seconds), moved_tx = ?
         WHERE id = ? AND ${LIVE} RETURNING *`,
      )
      .get(p.moved, p.heartbeatAtMs, p.holdSeconds ?? null, JSON.stringify(p.movedTransactions), id);
    return row ? toRedrive(row) : null;
  }

  async finish(id: string, f: RedriveFinish): Promise<boolean> {
    const { changes } = this.db
      .prepare(
        `UPDATE redrives SET status = ?, moved = ?, ended_at = ?, failure_reason = ?, moved_tx = ?
         WHERE id = ? AND ${LIVE}`,
      )
      .run(f.status, f.moved, f.endedAtMs, f.failureReason, JSON.stringify(f.movedTransactions), id);
    return changes === 1;
  }

  async requestCancel(id: string): Promise<StoredRedrive | null> {
    const row = this.db
      .prepare<[string], Row>(
        "UPDATE redrives SET status = 'CANCELLING' WHERE id = ? AND status = 'RUNNING' RETURNING *",
      )
      .get(id);
    return row ? toRedrive(row) : null;
  }

  async abandon(id: string, staleBefore: number, endedAtMs: number, failureReason: string): Promise<boolean> {
    const { changes } = this.db
      .prepare(
        `UPDATE redrives SET status = 'FAILED', ended_at = ?, failure_reason = ?
         WHERE id = ? AND ${LIVE} AND heartbeat_at <= ?`,
      )
      .run(endedAtMs, failureReason, id, staleBefore);
    return changes === 1;
  }
}
