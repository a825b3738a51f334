/**
 * The processor's per-transaction idempotency record (keyed by transaction id, with a TTL) on
 * SQLite: the IdempotencyStore port of infra/runtime/ports.ts. Inside the engine's batches it
 * keeps new records in memory and writes them once before COMMIT (the unit of work described in
 * ledger-store.ts); outside a batch every call writes through.
 */
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from '@/infra/runtime/ports';
import type { Db } from './db';
import { RowBatch } from './row-batch';
import type { UndoLog } from './undo-log';

interface IdemRow {
  key: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  expiry_time: number;
  result: string | null;
  created_at: number;
  in_progress_until: number | null;
}

interface PendingIdem {
  status: 'IN_PROGRESS' | 'COMPLETED';
  expiryTime: number;
  result: string | null;
  createdAt: number;
  inProgressUntil: number | null;
  /** The table has a row for the key (expired or stale, taken over): flushBatch updates it instead of inserting. */
  inDb: boolean;
}

export class SqliteTransactionIdempotencyStore implements IdempotencyStore {
  /**
   * Records claimed in the current batch, written by flushBatch; null = a taken-over table row
   * whose claim was released (deleted by flushBatch).
   */
  private pending: Map<string, PendingIdem | null> | null = null;
  /** Keys known to have no table row in the current batch (noteAbsent): claim skips the lookup. */
  private absent: Set<string> | null = null;
  private undo: UndoLog | null = null;
  private readonly flushRows;
  private readonly flushReplaceStmt;
  private readonly flushDeleteStmt;
  private readonly getStmt;
  private readonly insertStmt;
  private readonly replaceStmt;
  private readonly completeStmt;
  private readonly releaseStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], IdemRow>('SELECT * FROM idempotency WHERE key = ?');
    this.insertStmt = db.prepare(
      "INSERT OR IGNORE INTO idempotency (key, status, expiry_time, result, created_at, in_progress_until) VALUES (?, 'IN_PROGRESS', ?, NULL, ?, ?)",
    );
    this.replaceStmt = db.prepare(
      "UPDATE idempotency SET status = 'IN_PROGRESS', expiry_time = ?, result = NULL, created_at = ?, in_progress_until = ? WHERE key = ?",
    );
    this.completeStmt = db.prepare(
      "UPDATE idempotency SET status = 'COMPLETED', result = ?, in_progress_until = NULL WHERE key = ?",
    );
    this.releaseStmt = db.prepare("DELETE FROM idempotency WHERE key = ? AND status = 'IN_PROGRESS'");
    this.flushRows = new RowBatch(
      db,
      'INSERT INTO idempotency (key, status, expiry_time, result, created_at, in_progress_until)',
      6,
    );
    this.flushReplaceStmt = db.prepare(
      'UPDATE idempotency SET status = ?, expiry_time = ?, result = ?, created_at = ?, in_progress_until = ? WHERE key = ?',
    );
    this.flushDeleteStmt = db.prepare('DELETE FROM idempotency WHERE key = ?');
  }

  /** Starts a unit of work (call right after BEGIN IMMEDIATE). */
  beginBatch(undo: UndoLog): void {
    this.pending = new Map();
    this.absent = new Set();
    this.undo = undo;
  }

  /**
   * Within a batch: `key` has no row in the table (the caller looked, under the batch's write
   * lock). Rows this store creates are written only by flushBatch, so the fact holds until then.
   */
  noteAbsent(key: string): void {
    this.absent?.add(key);
  }

  /** Writes the batch's new records (call right before COMMIT) and ends the unit of work. */
  flushBatch(): void {
    const pending = this.pending;
    this.pending = null;
    this.absent = null;
    this.undo = null;
    if (!pending) return;
    for (const [key, p] of pending) {
      if (p === null) this.flushDeleteStmt.run(key);
      else if (p.inDb) this.flushReplaceStmt.run(p.status, p.expiryTime, p.result, p.createdAt, p.inProgressUntil, key);
      else this.flushRows.add(key, p.status, p.expiryTime, p.result, p.createdAt, p.inProgressUntil);
    }
    this.flushRows.flush();
  }

  /** Drops the unit of work (after ROLLBACK). */
  discardBatch(): void {
    this.pending = null;
    this.absent = null;
    this.undo = null;
    this.flushRows.discard(); // what a failed flush left buffered
  }

  private setPending(key: string, value: PendingIdem | null | undefined): void {
    const pending = this.pending!;
    const before = pending.get(key);
    this.undo!.push(() => (before !== undefined ? pending.set(key, before) : pending.delete(key)));
    if (value !== undefined) pending.set(key, value);
    else pending.delete(key);
  }

  private toRecord(r: IdemRow): IdempotencyRecord {
    return { key: r.key, status: r.status, expiryTime: r.expiry_time, result: r.result, createdAt: r.created_at };
  }

  claim(key: string, expiryTime: number, now: number, inProgressUntil?: number): ClaimResult {
    if (this.pending) {
      const p = this.pending.get(key);
      let row: IdemRow | undefined;
      let inDb: boolean;
      if (p === undefined) {
        row = this.absent!.has(key) ? undefined : this.getStmt.get(key);
        inDb = row !== undefined;
      } else if (p === null) {
        inDb = true; // a taken-over row whose claim was released: as good as absent
      } else {
        row = {
          key,
          status: p.status,
          expiry_time: p.expiryTime,
          result: p.result,
          created_at: p.createdAt,
          in_progress_until: p.inProgressUntil,
        };
        inDb = p.inDb;
      }
      if (row) {
        const decided = this.decide(row, now);
        if (decided) return decided;
      }
      // Absent (the common case), or a table row that may be taken over (expired, or a crashed
      // worker's claim): kept in memory, written by flushBatch.
      this.setPending(key, {
        status: 'IN_PROGRESS',
        expiryTime,
        result: null,
        createdAt: now,
        inProgressUntil: inProgressUntil ?? null,
        inDb,
      });
      return { status: 'claimed' };
    }
    // Conditional put: insert when absent (the common case, one statement), else decide on the existing record.
    if (this.insertStmt.run(key, expiryTime, now, inProgressUntil ?? null).changes === 1) return { status: 'claimed' };
    const existing = this.getStmt.get(key);
    if (!existing) throw new Error(`idempotency record ${key} vanished during claim`);
    const decided = this.decide(existing, now);
    if (decided) return decided;
    this.replaceStmt.run(expiryTime, now, inProgressUntil ?? null, key);
    return { status: 'claimed' };
  }

  /** The decision on an existing record: null when it may be taken over (expired, or a stale claim). */
  private decide(existing: IdemRow, now: number): ClaimResult | null {
    const expired = existing.expiry_time < Math.floor(now / 1000);
    const staleClaim =
      existing.status === 'IN_PROGRESS' && existing.in_progress_until !== null && existing.in_progress_until < now;
    if (expired || staleClaim) return null;
    return existing.status === 'COMPLETED'
      ? { status: 'completed', record: this.toRecord(existing) }
      : { status: 'in_progress', record: this.toRecord(existing) };
  }

  complete(key: string, result: string): void {
    const p = this.pending?.get(key);
    if (p) this.setPending(key, { ...p, status: 'COMPLETED', result, inProgressUntil: null });
    else this.completeStmt.run(result, key);
  }
  release(key: string): void {
    const p = this.pending?.get(key);
    if (p) {
      if (p.status === 'IN_PROGRESS') this.setPending(key, p.inDb ? null : undefined);
    } else if (p === undefined) this.releaseStmt.run(key);
  }
  get(key: string): IdempotencyRecord | null {
    const p = this.pending?.get(key);
    if (p === null) return null;
    if (p)
      return {
        key,
        status: p.status,
        expiryTime: p.expiryTime,
        result: p.result,
        createdAt: p.createdAt,
      };
    const r = this.getStmt.get(key);
    return r ? this.toRecord(r) : null;
  }
}
