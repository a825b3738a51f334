/**
 * The ledger (accounts, holds, journal, settlements) on SQLite: the LedgerStore port of
 * infra/runtime/ports.ts. Synchronous better-sqlite3 calls wrapped in resolved promises; the
 * engine calls them inside its own transactions, so each batch is atomic, with the unit of work
 * of ledger-unit-of-work.ts (every row written once per batch, before COMMIT).
 */
import { alreadyReleased, holdCaptured, releasedMarker } from '@/infra/runtime/ledger-errors';
import {
  StepError,
  type Account,
  type Hold,
  type HoldResult,
  type JournalEntry,
  type LedgerStore,
  type Settlement,
  type Transfer,
} from '@/infra/runtime/ports';
import { sagaErrors } from '@/infra/saga/definition';
import { LedgerUnitOfWork, toEntry, toHold, toHoldOf } from './ledger-unit-of-work';

export class SqliteLedgerStore extends LedgerUnitOfWork implements LedgerStore {
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
