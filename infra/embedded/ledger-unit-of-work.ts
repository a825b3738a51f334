/**
 * The ledger store's unit of work (the engine's batches): between beginBatch() and flushBatch()
 * the stores keep every row they write (accounts, holds, journal entries, settlements,
 * idempotency records) in memory and write each changed row ONCE at the end of the batch, inside
 * the same SQLite transaction (BEGIN IMMEDIATE holds the write lock, so nothing else can change
 * those rows meanwhile). Each write first looks for the existing row (in memory, then in the
 * table), so the flush never meets a conflicting row. A message's changes are marked in an
 * UndoLog: rolling a failed message back undoes them, and since the stores wrote nothing to the
 * database for it, the engine needs no savepoint. A crash before COMMIT loses the batch as a
 * whole. Outside a batch every call writes through immediately (standalone callers, tests).
 * The port's operations on top of it: ledger-store.ts.
 */
import { StepError, type Hold, type JournalEntry, type Settlement } from '@/infra/runtime/ports';
import { sagaErrors } from '@/infra/saga/definition';
import type { Db } from './db';
import { RowBatch } from './row-batch';
import type { UndoLog } from './undo-log';

export interface AccountRow {
  id: string;
  currency: string;
  balance: number;
  held: number;
}
export interface HoldRow {
  transaction_id: string;
  account: string;
  amount: number;
  currency: string;
  state: Hold['state'];
}
export interface JournalRow {
  transaction_id: string;
  kind: JournalEntry['kind'];
  debit_account: string;
  credit_account: string;
  amount: number;
  currency: string;
  posted_at: number;
}
export interface SettlementRow {
  transaction_id: string;
  reference: string;
  state: Settlement['state'];
}

export const toHold = (r: HoldRow): Hold => ({
  transactionId: r.transaction_id,
  account: r.account,
  amount: r.amount,
  currency: r.currency,
  state: r.state,
});
export const toHoldOf = (h: HoldState): Hold => ({
  transactionId: h.transactionId,
  account: h.account,
  amount: h.amount,
  currency: h.currency,
  state: h.state,
});
export const toEntry = (r: JournalRow): JournalEntry => ({
  transactionId: r.transaction_id,
  kind: r.kind,
  debitAccount: r.debit_account,
  creditAccount: r.credit_account,
  amount: r.amount,
  currency: r.currency,
  postedAt: r.posted_at,
});

export interface AccountState {
  id: string;
  currency: string;
  balance: number;
  held: number;
  openHolds: number;
  dirty: boolean;
}
export interface SettlementState {
  reference: string;
  state: Settlement['state'];
  updatedAt: number;
  /** The row exists in the table (UPDATE at flush) or was recorded in this batch (INSERT). */
  inDb: boolean;
}
export interface HoldState extends Hold {
  updatedAt: number;
  /** The row exists in the table (UPDATE at flush) or was created in this batch (INSERT). */
  inDb: boolean;
  dirty: boolean;
}

export abstract class LedgerUnitOfWork {
  protected readonly s;
  /** The unit of work of the current batch (null = write-through). null entries cache "absent". */
  protected batch: {
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

  constructor(protected readonly db: Db) {
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

  protected entry(transactionId: string, kind: JournalEntry['kind']): JournalRow | undefined {
    const b = this.batch;
    if (!b) return this.s.entry.get(transactionId, kind);
    const pending = b.journal.get(`${transactionId}\u0000${kind}`);
    if (pending) return pending;
    return b.noJournal.has(transactionId) ? undefined : this.s.entry.get(transactionId, kind);
  }

  /** Posts a journal entry the caller found absent (entry()): in the batch until flushBatch, else at once. */
  protected insertEntry(
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

  protected settlementRow(transactionId: string): SettlementRow | undefined {
    const b = this.batch;
    if (!b) return this.s.settlement.get(transactionId);
    const pending = b.settlements.get(transactionId);
    if (pending) return { transaction_id: transactionId, reference: pending.reference, state: pending.state };
    return b.noSettlement.has(transactionId) ? undefined : this.s.settlement.get(transactionId);
  }

  /** Records a settlement state in the batch (written by flushBatch). */
  protected putSettlement(transactionId: string, s: SettlementState): void {
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

  protected loadAccount(id: string): AccountState | null {
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
  protected adjust(id: string, balance: number, held: number, openHolds: number): void {
    const a = this.loadAccount(id);
    if (!a) throw new StepError(sagaErrors.permanent, `account ${id} does not exist`);
    const before = { balance: a.balance, held: a.held, openHolds: a.openHolds, dirty: a.dirty };
    this.batch!.undo.push(() => Object.assign(a, before));
    a.balance += balance;
    a.held += held;
    a.openHolds += openHolds;
    a.dirty = true;
  }

  protected loadHold(transactionId: string): HoldState | null {
    const holds = this.batch!.holds;
    let h = holds.get(transactionId);
    if (h === undefined) {
      const r = this.s.hold.get(transactionId);
      h = r ? { ...toHold(r), updatedAt: 0, inDb: true, dirty: false } : null;
      holds.set(transactionId, h);
    }
    return h;
  }

  protected putHold(h: HoldState): void {
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

  protected setHoldState(h: HoldState, state: Hold['state'], now: number): void {
    this.putHold({ ...h, state, updatedAt: now, dirty: true });
  }
}
