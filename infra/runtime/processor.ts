/**
 * The processor: consumes queue messages carrying transaction events and starts one saga per
 * transaction, exactly once. The exactly-once key is the TRANSACTION id (never the message
 * id or event id: both change on redrive, replay and cross-region replication).
 * Hosts: the processor Lambda (SQS event source, partial batch responses) and the embedded
 * processor (one SQLite transaction per batch).
 */
import { IDEMPOTENCY_TTL_HOURS } from '../platform/description';
import { answer, runFlow, type Flow, type MaybePromise } from './flow';
import { type IdempotencyStore } from './ports';
import {
  parseTransactionEvent,
  type ParseResult,
  type RejectionCode,
  type Transaction,
  type TransactionEvent,
} from './transaction';

/** Thrown for a message that can never be processed (bad body): it will end in the DLQ. */
export class PoisonMessageError extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

/** Thrown when another worker holds the idempotency claim: retry the message later. */
export class ClaimConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClaimConflictError';
  }
}

export interface ProcessorDeps {
  idempotency: IdempotencyStore;
  /**
   * Start the saga for the event (Step Functions StartExecution named by transaction id / local
   * saga insert). `alreadyStarted`: the transaction's saga had been started before, with the same
   * transaction, and nothing was started now (e.g. the claim's completion was lost after the
   * start): the message is a duplicate. Same id with other content: throw PoisonMessageError.
   */
  startSaga(event: TransactionEvent): MaybePromise<{ sagaId: string; alreadyStarted?: boolean }>;
  now(): number;
  /**
   * Called when the claim finds the transaction already applied (a completed record): throws
   * PoisonMessageError when the message carries the same transaction id with other content, so
   * it goes to the DLQ instead of being dropped as a duplicate. The Lambda's idempotency store
   * does this inside its claim (Powertools payload validation); the embedded engine compares the
   * saga's stored input here.
   */
  checkDuplicate?(event: TransactionEvent): MaybePromise<void>;
  /** Defaults to IDEMPOTENCY_TTL_HOURS. */
  ttlHours?: number;
  /** How long a claim stays exclusive if the worker dies (ms). Defaults to 5 minutes. */
  inProgressMs?: number;
  /**
   * Parses a message body. Defaults to parseTransactionEvent; a host may supply one that returns
   * the result it already computed for this exact body (it must equal parseTransactionEvent's).
   */
  parse?: (body: string) => ParseResult<TransactionEvent>;
}

export type ProcessOutcome =
  | { kind: 'started'; transactionId: string; sagaId: string; event: TransactionEvent }
  | { kind: 'duplicate'; transactionId: string; sagaId: string | null; event: TransactionEvent };

/** The expiryTime (epoch seconds) of an idempotency record created at `nowMs`. */
export function idempotencyExpiry(nowMs: number, ttlHours = IDEMPOTENCY_TTL_HOURS): number {
  return Math.floor(nowMs / 1000) + ttlHours * 3600;
}

/**
 * Processes one message body. Returns the outcome, or throws PoisonMessageError (bad body),
 * ClaimConflictError (claimed elsewhere) or the saga starter's error (claim released first).
 * Synchronous when every dep answers synchronously (the embedded platform), a promise otherwise
 * (the Lambda): see flow.ts.
 */
export function processMessage(body: string, deps: ProcessorDeps): MaybePromise<ProcessOutcome> {
  return runFlow(processFlow(body, deps));
}

function* processFlow(body: string, deps: ProcessorDeps): Flow<ProcessOutcome> {
  const parsed = (deps.parse ?? parseTransactionEvent)(body);
  if (!parsed.ok) throw new PoisonMessageError(parsed.code, parsed.reason);
  const event = parsed.event;
  const key = event.transaction.transactionId;
  const now = deps.now();
  const claim = yield* answer(
    deps.idempotency.claim(key, idempotencyExpiry(now, deps.ttlHours), now, now + (deps.inProgressMs ?? 300_000)),
  );
  if (claim.status === 'completed') {
    if (deps.checkDuplicate) yield* answer(deps.checkDuplicate(event));
    let sagaId: string | null = null;
    try {
      sagaId = (JSON.parse(claim.record.result ?? 'null') as { sagaId?: string } | null)?.sagaId ?? null;
    } catch {
      sagaId = null; // a result we cannot read does not change the decision: it is a duplicate
    }
    return { kind: 'duplicate', transactionId: key, sagaId, event };
  }
  if (claim.status === 'in_progress')
    throw new ClaimConflictError(`transaction ${key} is being processed by another worker`);
  try {
    const { sagaId, alreadyStarted } = yield* answer(deps.startSaga(event));
    yield* answer(deps.idempotency.complete(key, JSON.stringify({ sagaId })));
    return { kind: alreadyStarted === true ? 'duplicate' : 'started', transactionId: key, sagaId, event };
  } catch (e) {
    yield* answer(deps.idempotency.release(key));
    throw e;
  }
}

/**
 * A transaction as canonical text: JSON with the keys sorted, so two copies of one transaction
 * compare equal whatever the key order of the JSON they were read from.
 */
export function canonicalTransaction(transaction: Transaction): string {
  const t = transaction as Record<string, unknown>;
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(t)
        .sort()
        .filter((k) => t[k] !== undefined)
        .map((k) => [k, t[k]]),
    ),
  );
}

export interface BatchRecord {
  messageId: string;
  body: string;
}
export interface BatchResult {
  outcomes: { messageId: string; outcome: ProcessOutcome }[];
  /** SQS partial batch response: the failed ones are retried (and dead-lettered after maxReceiveCount). */
  batchItemFailures: { itemIdentifier: string; error: string; poison: boolean }[];
}

/** Processes a batch sequentially, reporting failures per message (partial batch failure). */
export async function processBatch(records: readonly BatchRecord[], deps: ProcessorDeps): Promise<BatchResult> {
  const result: BatchResult = { outcomes: [], batchItemFailures: [] };
  for (const r of records) {
    try {
      result.outcomes.push({ messageId: r.messageId, outcome: await processMessage(r.body, deps) });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      result.batchItemFailures.push({
        itemIdentifier: r.messageId,
        error: `${err.name}: ${err.message}`,
        poison: e instanceof PoisonMessageError,
      });
    }
  }
  return result;
}
