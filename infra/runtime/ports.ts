/**
 * Ports of the platform's runtime: the storage-agnostic interfaces the domain code needs.
 * Two hosts implement them: the embedded platform (SQLite, server/platform/local) and the
 * AWS Lambda functions (DynamoDB, infra/lambda). Pure TypeScript: no Node or AWS imports.
 *
 * STABLE: the CDK helper codes against these signatures. Add optional members only.
 * Every answer is a MaybePromise (flow.ts): the Lambda adapters return promises, the embedded
 * platform's SQLite stores return values, and the same step code runs on both.
 *
 * Conventions
 * - Times passed to stores are epoch milliseconds unless the name says Seconds
 *   (`expiryTime` is epoch SECONDS, as DynamoDB TTL wants).
 * - Amounts are integer minor units (cents); never floats.
 * - Every ledger operation is idempotent per (transactionId, step): calling it again returns
 *   the first result and changes nothing. This is what makes retries, redrives and replays safe.
 */
import type { CompensationName, SagaErrorName, StepName } from '../saga/definition';
import type { MaybePromise } from './flow';
import type { Transaction } from './transaction';

// ---------------------------------------------------------------- idempotency

/** The processor's exactly-once record, keyed by the BUSINESS id (transaction id). */
export interface IdempotencyRecord {
  key: string; // transaction id, never a message or event id
  status: 'IN_PROGRESS' | 'COMPLETED';
  /** Epoch seconds after which the record may be deleted (DynamoDB TTL attribute). */
  expiryTime: number;
  /** JSON text of the result stored by complete(); null while IN_PROGRESS. */
  result: string | null;
  createdAt: number; // epoch ms
}

export type ClaimResult =
  /** First time this key is seen (or its previous record expired): go ahead. */
  | { status: 'claimed' }
  /** Already done: the caller must NOT apply the effect again; `record.result` is the first result. */
  | { status: 'completed'; record: IdempotencyRecord }
  /** Another worker holds the claim right now: fail the message so it is retried later. */
  | { status: 'in_progress'; record: IdempotencyRecord };

export interface IdempotencyStore {
  /**
   * Atomically create an IN_PROGRESS record for `key` unless a live record exists
   * (DynamoDB: conditional put `attribute_not_exists(key) OR expiryTime < :nowSeconds`).
   * `inProgressUntil` (epoch ms, optional) lets a crashed worker's claim be taken over later.
   */
  claim(key: string, expiryTime: number, now: number, inProgressUntil?: number): MaybePromise<ClaimResult>;
  /** Mark the claim COMPLETED with the result (JSON text). */
  complete(key: string, result: string): MaybePromise<void>;
  /** Drop an IN_PROGRESS claim after a failure so a retry can claim again. */
  release(key: string): MaybePromise<void>;
  get(key: string): MaybePromise<IdempotencyRecord | null>;
}

// ---------------------------------------------------------------- ledger

export interface Account {
  id: string;
  currency: string;
  /** Posted balance. The sum over all accounts never changes (money is only moved). */
  balance: number;
  /** Sum of open holds (reserved, not yet posted). available = balance - held. */
  held: number;
}

export interface Hold {
  transactionId: string;
  account: string;
  amount: number;
  currency: string;
  /** HELD: reserved; CAPTURED: posted to the journal; RELEASED: given back. */
  state: 'HELD' | 'CAPTURED' | 'RELEASED';
}

/** One balanced double-entry journal entry: debit one account, credit another, same amount. */
export interface JournalEntry {
  transactionId: string;
  kind: 'POST' | 'REVERSE';
  debitAccount: string;
  creditAccount: string;
  amount: number;
  currency: string;
  postedAt: number;
}

export interface Settlement {
  transactionId: string;
  /** The payment network's reference; '' while PENDING (not known yet) and on a VOIDED marker. */
  reference: string;
  /**
   * PENDING: recorded before the payment network is asked (the request may have reached it);
   * SETTLED: the network accepted it; VOIDED: voided (or VoidSettlement's marker: nothing was settled).
   */
  state: 'PENDING' | 'SETTLED' | 'VOIDED';
}

export interface Transfer {
  fromAccount: string;
  toAccount: string;
  amount: number;
  currency: string;
}

export type HoldResult = { ok: true; hold: Hold; alreadyDone: boolean } | { ok: false; available: number };

/**
 * The ledger. Each method is idempotent per (transactionId, step) and atomic on its own.
 * Implementations must keep `sum(balance)` constant: posts and reversals move money between
 * two accounts in one atomic write (SQLite transaction / DynamoDB TransactWriteItems).
 */
export interface LedgerStore {
  getAccount(id: string): MaybePromise<Account | null>;
  /**
   * ReserveFunds: hold `amount` on the account if available >= amount; else { ok: false }.
   * A transaction whose hold is RELEASED (its saga was compensated, or ReleaseFunds left its
   * marker) is refused with a PermanentError: the transaction was already decided.
   */
  placeHold(
    transactionId: string,
    account: string,
    amount: number,
    currency: string,
    now: number,
  ): MaybePromise<HoldResult>;
  /**
   * ReleaseFunds: HELD -> RELEASED (held -= amount). No-op (returns the hold) if already released.
   * CAPTURED: throws a PermanentError (the ledger must be reversed first). No hold: records a
   * RELEASED marker of amount 0 (for `marker`'s account and currency when given) and returns it,
   * so a ReserveFunds attempt still in flight cannot place a hold afterwards.
   */
  releaseHold(
    transactionId: string,
    now: number,
    marker?: { account: string; currency: string },
  ): MaybePromise<Hold | null>;
  /**
   * PostLedger: one POST entry (debit from, credit to) and capture the hold (HELD -> CAPTURED):
   * from.balance -= amount, from.held -= amount, to.balance += amount, atomically.
   */
  post(
    transactionId: string,
    transfer: Transfer,
    now: number,
  ): MaybePromise<{ entry: JournalEntry; alreadyDone: boolean }>;
  /** ReverseLedger: one REVERSE entry undoing the POST; the hold goes back to HELD. Null if nothing was posted. */
  reverse(transactionId: string, now: number): MaybePromise<{ entry: JournalEntry; alreadyDone: boolean } | null>;
  /**
   * SettlePayment, before the payment network is asked: records a PENDING settlement unless one
   * exists, and returns the settlement as it stands (a VOIDED one means a compensation ran: do not
   * settle). VoidSettlement then voids whatever may have reached the network. Optional (added
   * later); a ledger without it settles first and records after, as before.
   */
  beginSettlement?(transactionId: string, now: number): MaybePromise<Settlement>;
  /**
   * SettlePayment bookkeeping (after the downstream accepted it): absent or PENDING -> SETTLED.
   * Returns the existing settlement (alreadyDone) when it is SETTLED or VOIDED.
   */
  recordSettlement(
    transactionId: string,
    reference: string,
    now: number,
  ): MaybePromise<{ settlement: Settlement; alreadyDone: boolean }>;
  /**
   * VoidSettlement bookkeeping: PENDING or SETTLED -> VOIDED. With no settlement it records a
   * VOIDED marker (reference '') so a late SettlePayment cannot settle afterwards; null only
   * from ledgers that do not (none here).
   */
  voidSettlement(transactionId: string, now: number): MaybePromise<Settlement | null>;
  getSettlement(transactionId: string): MaybePromise<Settlement | null>;
}

// ---------------------------------------------------------------- downstream

/** A payment to settle with the payment network. */
export interface SettlementRequest {
  transactionId: string;
  toAccount: string;
  amount: number;
  currency: string;
}
/** A settlement to void (compensation). */
export interface SettlementVoidRequest {
  transactionId: string;
  reference: string;
}
/** The customer notification of a completed transfer. */
export interface NotificationRequest {
  transactionId: string;
  fromAccount: string;
  toAccount: string;
  amount: number;
  currency: string;
  outcome: 'SUCCEEDED';
}

/**
 * External systems the saga calls (payment network, notification service). They can fail:
 * implementations throw `StepError` with name TransientError (retryable) or PermanentError.
 * Calls carry the transaction id as idempotency key so a retried call is not applied twice.
 */
export interface Downstream {
  settle(req: SettlementRequest): MaybePromise<{ reference: string }>;
  voidSettlement(req: SettlementVoidRequest): MaybePromise<void>;
  notify(req: NotificationRequest): MaybePromise<void>;
}

// ---------------------------------------------------------------- saga steps

/** What every step and compensation receives. `input` is the saga input (the transaction). */
export interface StepContext {
  sagaId: string;
  transaction: Transaction;
  /** 1-based attempt number of this step (retries increase it). */
  attempt: number;
}

export interface StepDeps {
  ledger: LedgerStore;
  downstream: Downstream;
  /** Clock in epoch ms (injected so tests and replays are deterministic). */
  now: () => number;
}

/** JSON-serializable output of a step, recorded on the saga timeline. */
export type StepOutput = Record<string, string | number | boolean | null>;

/** Signature of the step functions in infra/runtime/saga-steps.ts. */
export type RunStep = (name: StepName, ctx: StepContext, deps: StepDeps) => MaybePromise<StepOutput>;
export type RunCompensation = (name: CompensationName, ctx: StepContext, deps: StepDeps) => MaybePromise<StepOutput>;

/** The error every step throws on failure; `name` is one of sagaErrors (retry policy matches on it). */
export class StepError extends Error {
  constructor(
    override readonly name: SagaErrorName,
    message: string,
  ) {
    super(message);
  }
}

/** Error name for retry matching: StepError names pass through; anything else is 'Error' (not retried). */
export function errorNameOf(error: unknown): string {
  if (error instanceof StepError) return error.name;
  if (
    error instanceof Error &&
    typeof error.name === 'string' &&
    error.name.endsWith('Error') &&
    error.name !== 'Error'
  ) {
    return error.name;
  }
  return 'Error';
}
