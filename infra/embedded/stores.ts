/**
 * SQLite implementations of the runtime's ports (infra/runtime/ports.ts). Synchronous
 * better-sqlite3 calls wrapped in resolved promises; the engine calls them inside its own
 * transactions, so each batch is atomic.
 *
 * Unit of work (the engine's batches): between beginBatch() and flushBatch() the stores keep
 * every row they write (accounts, holds, journal entries, settlements, idempotency records) in
 * memory and write each changed row ONCE at the end of the batch, inside the same SQLite
 * transaction (BEGIN IMMEDIATE holds the write lock, so nothing else can change those rows
 * meanwhile). Each write first looks for the existing row (in memory, then in the table), so the
 * flush never meets a conflicting row. A message's changes are marked in an UndoLog: rolling a
 * failed message back undoes them, and since the stores wrote nothing to the database for it,
 * the engine needs no savepoint. A crash before COMMIT loses the batch as a whole. Outside a
 * batch every call writes through immediately (standalone callers, tests).
 */
import { alreadyReleased, holdCaptured, releasedMarker } from '@/infra/runtime/ledger-errors';
import {
  StepError,
  type Account,
  type ClaimResult,
  type Hold,
  type HoldResult,
  type IdempotencyRecord,
  type IdempotencyStore,
  type JournalEntry,
  type LedgerStore,
  type Settlement,
  type Transfer,
} from '@/infra/runtime/ports';
import { sagaErrors } from '@/infra/saga/definition';
import type { Db } from './db';
import { RowBatch } from './row-batch';

/** In-memory undo entries of one transaction, so a message's savepoint rollback also undoes its cached changes. */
export class UndoLog {
  private readonly entries: (() => void)[] = [];
  mark(): number {
    return this.entries.length;
  }
  push(undo: () => void): void {
    this.entries.push(undo);
  }
  rollbackTo(mark: number): void {
    while (this.entries.length > mark) this.entries.pop()!();
  }
  clear(): void {
    this.entries.length = 0;
  }
}

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

export class SqliteIdempotencyStore implements IdempotencyStore {
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

interface AccountRow {
  id: string;
  currency: string;
  balance: number;
  held: number;
}
interface HoldRow {
  transaction_id: string;
  account: string;
  amount: number;
  currency: string;
  state: Hold['state'];
}
interface JournalRow {
  transaction_id: string;
  kind: JournalEntry['kind'];
  debit_account: string;
  credit_account: string;
  amount: number;
  currency: string;
  posted_at: number;
}
interface SettlementRow {
  transaction_id: string;
  reference: string;
  state: Settlement['state'];
}

const toHold = (r: HoldRow): Hold => ({
  transactionId: r.transaction_id,
  account: r.account,
  amount: r.amount,
  currency: r.currency,
  state: r.state,
});
const toHoldOf = (h: HoldState): Hold => ({
  transactionId: h.transactionId,
  account: h.account,
  amount: h.amount,
  currency: h.currency,
  state: h.state,
});
const toEntry = (r: JournalRow): JournalEntry => ({
  transactionId: r.transaction_id,
  kind: r.kind,
  debitAccount: r.debit_account,
  creditAccount: r.credit_account,
  amount: r.amount,
  currency: r.currency,
  postedAt: r.posted_at,
});

interface AccountState {
  id: string;
  currency: string;
  balance: number;
  held: number;
  openHolds: number;
  dirty: boolean;
}
interface SettlementState {
  reference: string;
  state: Settlement['state'];
  updatedAt: number;
  /** The row exists in the table (UPDATE at flush) or was recorded in this batch (INSERT). */
  inDb: boolean;
}
interface HoldState extends Hold {
  updatedAt: number;
  /** The row exists in the table (UPDATE at flush) or was created in this batch (INSERT). */
  inDb: boolean;
  dirty: boolean;
}

export class SqliteLedgerStore implements LedgerStore {
  private readonly s;
  /** The unit of work of the current batch (null = write-through). null entries cache "absent". */
  private batch: {
    accounts: Map<string, AccountState | null>;
    holds: Map<string, HoldState | null>;
    /** Journal entries posted in this batch (key: transaction id + kind), inserted by flushBatch. */
    journal: Map<string, JournalRow>;
    /** Settlements recorded or voided in this batch, written by flushBatch. */
    settlements: Map<string, SettlementState>;
    /** Transactions known to have no journal entry / settlement row in the table (noteAbsent). */
    noJournal: Set<string>;
    noSettlement: Set<string>;
    undo: UndoLog;
  } | null = null;

  constructor(private readonly db: Db) {
    this.s = {
      account: db.prepare<[string], AccountRow>('SELECT id, currency, balance, held FROM accounts WHERE id = ?'),
      accountFull: db.prepare<[string], AccountRow & { open_holds: number }>(
        'SELECT id, currency, balance, held, open_holds FROM accounts WHERE id = ?',
      ),
      writeAccount: db.prepare('UPDATE accounts SET balance = ?, held = ?, open_holds = ? WHERE id = ?'),
      newHolds: new RowBatch(db, 'INSERT INTO holds (transaction_id, account, amount, currency, state, updated_at)', 6),
      hold: db.prepare<[string], HoldRow>('SELECT * FROM holds WHERE transaction_id = ?'),
      insertHold: db.prepare(
        "INSERT OR IGNORE INTO holds (transaction_id, account, amount, currency, state, updated_at) VALUES (?, ?, ?, ?, 'HELD', ?)",
      ),
      setHold: db.prepare('UPDATE holds SET state = ?, updated_at = ? WHERE transaction_id = ?'),
      insertReleasedMarker: db.prepare(
        "INSERT INTO holds (transaction_id, account, amount, currency, state, updated_at) VALUES (?, ?, 0, ?, 'RELEASED', ?)",
      ),
      captureHold: db.prepare(
        "UPDATE holds SET state = 'CAPTURED', updated_at = ? WHERE transaction_id = ? AND state = 'HELD' AND account = ? AND amount = ?",
      ),
      addHeld: db.prepare('UPDATE accounts SET held = held + ?, open_holds = open_holds + ? WHERE id = ?'),
      moveOut: db.prepare(
        'UPDATE accounts SET balance = balance - ?, held = held - ?, open_holds = open_holds - ? WHERE id = ?',
      ),
      moveIn: db.prepare(
        'UPDATE accounts SET balance = balance + ?, held = held + ?, open_holds = open_holds + ? WHERE id = ?',
      ),
      entry: db.prepare<[string, string], JournalRow>('SELECT * FROM journal WHERE transaction_id = ? AND kind = ?'),
      insertEntry: db.prepare(
        'INSERT INTO journal (transaction_id, kind, debit_account, credit_account, amount, currency, posted_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      settlement: db.prepare<[string], SettlementRow>(
        'SELECT transaction_id, reference, state FROM settlements WHERE transaction_id = ?',
      ),
      insertSettlementAs: db.prepare(
        'INSERT INTO settlements (transaction_id, reference, state, updated_at) VALUES (?, ?, ?, ?)',
      ),
      settlePending: db.prepare(
        "UPDATE settlements SET reference = ?, state = 'SETTLED', updated_at = ? WHERE transaction_id = ? AND state = 'PENDING'",
      ),
      voidSettlement: db.prepare("UPDATE settlements SET state = 'VOIDED', updated_at = ? WHERE transaction_id = ?"),
      newSettlements: new RowBatch(db, 'INSERT INTO settlements (transaction_id, reference, state, updated_at)', 4),
      newEntries: new RowBatch(
        db,
        'INSERT INTO journal (transaction_id, kind, debit_account, credit_account, amount, currency, posted_at)',
        7,
      ),
      writeSettlement: db.prepare(
        'UPDATE settlements SET reference = ?, state = ?, updated_at = ? WHERE transaction_id = ?',
      ),
    };
  }

  // ---------------------------------------------------------------- unit of work

  /** Starts a unit of work (call right after BEGIN IMMEDIATE, which holds the write lock). */
  beginBatch(undo: UndoLog): void {
    this.batch = {
      accounts: new Map(),
      holds: new Map(),
      journal: new Map(),
      settlements: new Map(),
      noJournal: new Set(),
      noSettlement: new Set(),
      undo,
    };
  }

  /**
   * Within a batch: what the caller found absent from the tables for `transactionId` (it looked
   * under the batch's write lock), so the steps skip those lookups. The batch writes its own rows
   * only at flushBatch, and every read looks at the batch's rows first, so the facts hold until then.
   */
  noteAbsent(transactionId: string, absent: { hold: boolean; journal: boolean; settlement: boolean }): void {
    const b = this.batch;
    if (!b) return;
    if (absent.hold && !b.holds.has(transactionId)) b.holds.set(transactionId, null);
    if (absent.journal) b.noJournal.add(transactionId);
    if (absent.settlement) b.noSettlement.add(transactionId);
  }

  private entry(transactionId: string, kind: JournalEntry['kind']): JournalRow | undefined {
    const b = this.batch;
    if (!b) return this.s.entry.get(transactionId, kind);
    const pending = b.journal.get(`${transactionId}\u0000${kind}`);
    if (pending) return pending;
    return b.noJournal.has(transactionId) ? undefined : this.s.entry.get(transactionId, kind);
  }

  /** Posts a journal entry the caller found absent (entry()): in the batch until flushBatch, else at once. */
  private insertEntry(
    transactionId: string,
    kind: JournalEntry['kind'],
    debit: string,
    credit: string,
    amount: number,
    currency: string,
    now: number,
  ): void {
    const b = this.batch;
    if (!b) {
      this.s.insertEntry.run(transactionId, kind, debit, credit, amount, currency, now);
      return;
    }
    const key = `${transactionId}\u0000${kind}`;
    const journal = b.journal;
    journal.set(key, {
      transaction_id: transactionId,
      kind,
      debit_account: debit,
      credit_account: credit,
      amount,
      currency,
      posted_at: now,
    });
    b.undo.push(() => journal.delete(key));
  }

  private settlementRow(transactionId: string): SettlementRow | undefined {
    const b = this.batch;
    if (!b) return this.s.settlement.get(transactionId);
    const pending = b.settlements.get(transactionId);
    if (pending) return { transaction_id: transactionId, reference: pending.reference, state: pending.state };
    return b.noSettlement.has(transactionId) ? undefined : this.s.settlement.get(transactionId);
  }

  /** Records a settlement state in the batch (written by flushBatch). */
  private putSettlement(transactionId: string, s: SettlementState): void {
    const settlements = this.batch!.settlements;
    const before = settlements.get(transactionId);
    this.batch!.undo.push(() => (before ? settlements.set(transactionId, before) : settlements.delete(transactionId)));
    settlements.set(transactionId, s);
  }

  /** Writes every account, hold, journal entry and settlement the batch changed, once each (call right before COMMIT). */
  flushBatch(): void {
    const b = this.batch;
    this.batch = null;
    if (!b) return;
    const { newHolds, newEntries, newSettlements } = this.s;
    // New rows go in multi-row INSERTs (row-batch.ts); discardBatch drops what a failed flush left.
    for (const a of b.accounts.values()) if (a?.dirty) this.s.writeAccount.run(a.balance, a.held, a.openHolds, a.id);
    for (const h of b.holds.values()) {
      if (!h?.dirty) continue;
      if (h.inDb) this.s.setHold.run(h.state, h.updatedAt, h.transactionId);
      else newHolds.add(h.transactionId, h.account, h.amount, h.currency, h.state, h.updatedAt);
    }
    newHolds.flush();
    for (const e of b.journal.values())
      newEntries.add(e.transaction_id, e.kind, e.debit_account, e.credit_account, e.amount, e.currency, e.posted_at);
    newEntries.flush();
    for (const [transactionId, s] of b.settlements) {
      if (s.inDb) this.s.writeSettlement.run(s.reference, s.state, s.updatedAt, transactionId);
      else newSettlements.add(transactionId, s.reference, s.state, s.updatedAt);
    }
    newSettlements.flush();
  }

  /** Drops the unit of work (after ROLLBACK). */
  discardBatch(): void {
    this.batch = null;
    // What a failed flush left buffered.
    this.s.newHolds.discard();
    this.s.newEntries.discard();
    this.s.newSettlements.discard();
  }

  private loadAccount(id: string): AccountState | null {
    const accounts = this.batch!.accounts;
    let a = accounts.get(id);
    if (a === undefined) {
      const r = this.s.accountFull.get(id);
      a = r
        ? { id: r.id, currency: r.currency, balance: r.balance, held: r.held, openHolds: r.open_holds, dirty: false }
        : null;
      accounts.set(id, a);
    }
    return a;
  }

  /** Adds to an account's balance / held / open holds (an account that does not exist is an error: money would vanish). */
  private adjust(id: string, balance: number, held: number, openHolds: number): void {
    const a = this.loadAccount(id);
    if (!a) throw new StepError(sagaErrors.permanent, `account ${id} does not exist`);
    const before = { balance: a.balance, held: a.held, openHolds: a.openHolds, dirty: a.dirty };
    this.batch!.undo.push(() => Object.assign(a, before));
    a.balance += balance;
    a.held += held;
    a.openHolds += openHolds;
    a.dirty = true;
  }

  private loadHold(transactionId: string): HoldState | null {
    const holds = this.batch!.holds;
    let h = holds.get(transactionId);
    if (h === undefined) {
      const r = this.s.hold.get(transactionId);
      h = r ? { ...toHold(r), updatedAt: 0, inDb: true, dirty: false } : null;
      holds.set(transactionId, h);
    }
    return h;
  }

  private putHold(h: HoldState): void {
    const holds = this.batch!.holds;
    const before = holds.get(h.transactionId);
    if (before) {
      const snapshot = { ...before };
      this.batch!.undo.push(() => Object.assign(before, snapshot));
      Object.assign(before, h);
    } else {
      this.batch!.undo.push(() => holds.set(h.transactionId, before === undefined ? null : before));
      holds.set(h.transactionId, h);
    }
  }

  private setHoldState(h: HoldState, state: Hold['state'], now: number): void {
    this.putHold({ ...h, state, updatedAt: now, dirty: true });
  }

  // ---------------------------------------------------------------- port

  private atomic<T>(fn: () => T): T {
    // Inside the engine's batch transaction already; standalone callers (tests) get their own.
    return this.db.inTransaction ? fn() : this.db.transaction(fn).immediate();
  }

  getAccount(id: string): Account | null {
    if (this.batch) {
      const a = this.loadAccount(id);
      return a ? { id: a.id, currency: a.currency, balance: a.balance, held: a.held } : null;
    }
    const r = this.s.account.get(id);
    return r ? { id: r.id, currency: r.currency, balance: r.balance, held: r.held } : null;
  }

  placeHold(transactionId: string, account: string, amount: number, currency: string, now: number): HoldResult {
    if (this.batch) {
      const a = this.loadAccount(account);
      if (!a) throw new StepError(sagaErrors.permanent, `account ${account} does not exist`);
      const existing = this.loadHold(transactionId); // our own earlier hold may be what makes it short
      if (existing?.state === 'RELEASED') throw alreadyReleased(transactionId);
      if (existing) return { ok: true, hold: toHoldOf(existing), alreadyDone: true };
      const available = a.balance - a.held;
      if (available < amount) return { ok: false, available };
      this.putHold({
        transactionId,
        account,
        amount,
        currency,
        state: 'HELD',
        updatedAt: now,
        inDb: false,
        dirty: true,
      });
      this.adjust(account, 0, amount, 1);
      return {
        ok: true,
        hold: { transactionId, account, amount, currency, state: 'HELD' },
        alreadyDone: false,
      };
    }
    return this.atomic((): HoldResult => {
      const a = this.s.account.get(account);
      if (!a) throw new StepError(sagaErrors.permanent, `account ${account} does not exist`);
      const existing = this.s.hold.get(transactionId); // our own earlier hold may be what makes it short
      if (existing?.state === 'RELEASED') throw alreadyReleased(transactionId);
      if (existing) return { ok: true, hold: toHold(existing), alreadyDone: true };
      const available = a.balance - a.held;
      if (available < amount) return { ok: false, available };
      this.s.insertHold.run(transactionId, account, amount, currency, now);
      this.s.addHeld.run(amount, 1, account);
      return { ok: true, hold: { transactionId, account, amount, currency, state: 'HELD' }, alreadyDone: false };
    });
  }

  releaseHold(transactionId: string, now: number, marker?: { account: string; currency: string }): Hold | null {
    // No hold: a RELEASED marker of amount 0, so a late ReserveFunds cannot place one afterwards.
    const released = releasedMarker(transactionId, marker);
    if (this.batch) {
      const h = this.loadHold(transactionId);
      if (!h) {
        this.putHold({ ...released, updatedAt: now, inDb: false, dirty: true });
        return released;
      }
      if (h.state === 'RELEASED') return toHoldOf(h);
      if (h.state === 'CAPTURED') throw holdCaptured(transactionId);
      this.setHoldState(h, 'RELEASED', now);
      this.adjust(h.account, 0, -h.amount, -1);
      return toHoldOf(h);
    }
    return this.atomic((): Hold | null => {
      const h = this.s.hold.get(transactionId);
      if (!h) {
        this.s.insertReleasedMarker.run(transactionId, released.account, released.currency, now);
        return released;
      }
      if (h.state === 'RELEASED') return toHold(h);
      if (h.state === 'CAPTURED') throw holdCaptured(transactionId);
      this.s.setHold.run('RELEASED', now, transactionId);
      this.s.addHeld.run(-h.amount, -1, h.account);
      return { ...toHold(h), state: 'RELEASED' };
    });
  }

  post(transactionId: string, t: Transfer, now: number): { entry: JournalEntry; alreadyDone: boolean } {
    return this.atomic(() => {
      const existing = this.entry(transactionId, 'POST');
      if (existing) return { entry: toEntry(existing), alreadyDone: true };
      // Capture first (a conditional write that changes nothing when it fails), then post.
      if (this.batch) {
        const h = this.loadHold(transactionId);
        if (!h || h.state !== 'HELD')
          throw new StepError(
            sagaErrors.permanent,
            `no open hold for ${transactionId}: funds must be reserved before posting`,
          );
        if (h.account !== t.fromAccount || h.amount !== t.amount)
          throw new StepError(sagaErrors.permanent, `hold of ${transactionId} does not match the transfer`);
        this.adjust(t.fromAccount, -t.amount, -t.amount, -1);
        this.adjust(t.toAccount, t.amount, 0, 0);
        this.setHoldState(h, 'CAPTURED', now);
        this.insertEntry(transactionId, 'POST', t.fromAccount, t.toAccount, t.amount, t.currency, now);
      } else {
        if (this.s.captureHold.run(now, transactionId, t.fromAccount, t.amount).changes !== 1) {
          const h = this.s.hold.get(transactionId);
          if (!h || h.state !== 'HELD')
            throw new StepError(
              sagaErrors.permanent,
              `no open hold for ${transactionId}: funds must be reserved before posting`,
            );
          throw new StepError(sagaErrors.permanent, `hold of ${transactionId} does not match the transfer`);
        }
        this.s.insertEntry.run(transactionId, 'POST', t.fromAccount, t.toAccount, t.amount, t.currency, now);
        this.s.moveOut.run(t.amount, t.amount, 1, t.fromAccount);
        this.s.moveIn.run(t.amount, 0, 0, t.toAccount);
      }
      const entry: JournalEntry = {
        transactionId,
        kind: 'POST',
        debitAccount: t.fromAccount,
        creditAccount: t.toAccount,
        amount: t.amount,
        currency: t.currency,
        postedAt: now,
      };
      return { entry, alreadyDone: false };
    });
  }

  reverse(transactionId: string, now: number): { entry: JournalEntry; alreadyDone: boolean } | null {
    return this.atomic(() => {
      const done = this.entry(transactionId, 'REVERSE');
      if (done) return { entry: toEntry(done), alreadyDone: true };
      const post = this.entry(transactionId, 'POST');
      if (!post) return null;
      // The reversal debits the original credit account and credits the original debit account;
      // the money returns to the hold (released by ReleaseFunds).
      this.insertEntry(
        transactionId,
        'REVERSE',
        post.credit_account,
        post.debit_account,
        post.amount,
        post.currency,
        now,
      );
      if (this.batch) {
        this.adjust(post.credit_account, -post.amount, 0, 0);
        this.adjust(post.debit_account, post.amount, post.amount, 1);
        const h = this.loadHold(transactionId);
        if (h) this.setHoldState(h, 'HELD', now);
      } else {
        this.s.moveOut.run(post.amount, 0, 0, post.credit_account);
        this.s.moveIn.run(post.amount, post.amount, 1, post.debit_account);
        this.s.setHold.run('HELD', now, transactionId);
      }
      const entry: JournalEntry = {
        transactionId,
        kind: 'REVERSE',
        debitAccount: post.credit_account,
        creditAccount: post.debit_account,
        amount: post.amount,
        currency: post.currency,
        postedAt: now,
      };
      return { entry, alreadyDone: false };
    });
  }

  beginSettlement(transactionId: string, now: number): Settlement {
    return this.atomic((): Settlement => {
      const existing = this.settlementRow(transactionId);
      if (existing) return { transactionId, reference: existing.reference, state: existing.state };
      if (this.batch)
        this.putSettlement(transactionId, { reference: '', state: 'PENDING', updatedAt: now, inDb: false });
      else this.s.insertSettlementAs.run(transactionId, '', 'PENDING', now);
      return { transactionId, reference: '', state: 'PENDING' };
    });
  }

  recordSettlement(
    transactionId: string,
    reference: string,
    now: number,
  ): { settlement: Settlement; alreadyDone: boolean } {
    return this.atomic(() => {
      const existing = this.settlementRow(transactionId);
      if (existing && existing.state !== 'PENDING')
        return {
          settlement: { transactionId, reference: existing.reference, state: existing.state },
          alreadyDone: true,
        };
      if (this.batch) {
        const inBatch = this.batch.settlements.get(transactionId);
        this.putSettlement(transactionId, {
          reference,
          state: 'SETTLED',
          updatedAt: now,
          inDb: existing ? (inBatch ? inBatch.inDb : true) : false,
        });
      } else if (existing) this.s.settlePending.run(reference, now, transactionId);
      else this.s.insertSettlementAs.run(transactionId, reference, 'SETTLED', now);
      return { settlement: { transactionId, reference, state: 'SETTLED' as const }, alreadyDone: false };
    });
  }

  voidSettlement(transactionId: string, now: number): Settlement {
    return this.atomic((): Settlement => {
      const s = this.settlementRow(transactionId);
      if (s?.state === 'VOIDED') return { transactionId, reference: s.reference, state: 'VOIDED' };
      const reference = s?.reference ?? ''; // no settlement: a VOIDED marker
      if (this.batch) {
        const inBatch = this.batch.settlements.get(transactionId);
        this.putSettlement(transactionId, {
          reference,
          state: 'VOIDED',
          updatedAt: now,
          inDb: s ? (inBatch ? inBatch.inDb : true) : false,
        });
      } else if (s) this.s.voidSettlement.run(now, transactionId);
      else this.s.insertSettlementAs.run(transactionId, '', 'VOIDED', now);
      return { transactionId, reference, state: 'VOIDED' };
    });
  }

  getSettlement(transactionId: string): Settlement | null {
    const s = this.settlementRow(transactionId);
    return s ? { transactionId, reference: s.reference, state: s.state } : null;
  }
}
