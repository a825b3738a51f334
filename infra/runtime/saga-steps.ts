/**
 * The saga's steps and compensations. Each is a pure function of (context, ports): safe to
 * run more than once (ledger operations are idempotent per (transactionId, step); downstream
 * calls carry the transaction id). Hosts: the embedded saga engine and the Lambda tasks of
 * the Step Functions state machine. Each is a Flow (flow.ts): with the embedded platform's
 * synchronous ports a step runs and returns synchronously, with the Lambdas' it returns a promise.
 */
import { retryDelayOf, sagaErrors, type CompensationName, type RetryPolicy, type StepName } from '../saga/definition';
import { answer, answerBoth, runFlow, type Flow } from './flow';
import {
  StepError,
  type RunCompensation,
  type RunStep,
  type StepContext,
  type StepDeps,
  type StepOutput,
} from './ports';
import { MAX_TRANSFER_AMOUNT } from './transaction';

function* validatePayment(ctx: StepContext, deps: StepDeps): Flow<StepOutput> {
  const t = ctx.transaction;
  const [from, to] = yield* answerBoth(deps.ledger.getAccount(t.fromAccount), deps.ledger.getAccount(t.toAccount));
  if (!from) throw new StepError(sagaErrors.permanent, `fromAccount ${t.fromAccount} does not exist`);
  if (!to) throw new StepError(sagaErrors.permanent, `toAccount ${t.toAccount} does not exist`);
  if (from.currency !== t.currency)
    throw new StepError(
      sagaErrors.permanent,
      `currency ${t.currency} does not match account ${from.id} (${from.currency})`,
    );
  if (to.currency !== t.currency)
    throw new StepError(
      sagaErrors.permanent,
      `currency ${t.currency} does not match account ${to.id} (${to.currency})`,
    );
  if (t.amount > MAX_TRANSFER_AMOUNT)
    throw new StepError(sagaErrors.permanent, `amount ${t.amount} exceeds the transfer limit ${MAX_TRANSFER_AMOUNT}`);
  return { validated: true };
}

function* reserveFunds(ctx: StepContext, deps: StepDeps): Flow<StepOutput> {
  const t = ctx.transaction;
  const r = yield* answer(deps.ledger.placeHold(t.transactionId, t.fromAccount, t.amount, t.currency, deps.now()));
  if (!r.ok)
    throw new StepError(
      sagaErrors.insufficientFunds,
      `account ${t.fromAccount} has ${r.available} available; ${t.amount} needed`,
    );
  return { account: r.hold.account, held: r.hold.amount, alreadyDone: r.alreadyDone };
}

function* postLedger(ctx: StepContext, deps: StepDeps): Flow<StepOutput> {
  const t = ctx.transaction;
  const r = yield* answer(deps.ledger.post(t.transactionId, t, deps.now()));
  return {
    debit: r.entry.debitAccount,
    credit: r.entry.creditAccount,
    amount: r.entry.amount,
    alreadyDone: r.alreadyDone,
  };
}

/** A settlement a compensation voided: the transaction was decided, it is not settled again. */
const settlementVoided = (transactionId: string) =>
  new StepError(
    sagaErrors.permanent,
    `settlement of ${transactionId} was voided by a compensation: it is not settled again`,
  );

/**
 * Records the settlement PENDING before asking the payment network (when the ledger can), so a
 * VoidSettlement that runs after this step failed for good knows the request may have reached
 * the network and voids it by transaction id.
 */
function* settlePayment(ctx: StepContext, deps: StepDeps): Flow<StepOutput> {
  const t = ctx.transaction;
  const existing = yield* answer(deps.ledger.getSettlement(t.transactionId));
  if (existing?.state === 'SETTLED') return { reference: existing.reference, alreadyDone: true };
  if (existing?.state === 'VOIDED') throw settlementVoided(t.transactionId);
  if (!existing && deps.ledger.beginSettlement) {
    const begun = yield* answer(deps.ledger.beginSettlement(t.transactionId, deps.now()));
    if (begun.state === 'VOIDED') throw settlementVoided(t.transactionId);
    if (begun.state === 'SETTLED') return { reference: begun.reference, alreadyDone: true };
  }
  const { reference } = yield* answer(
    deps.downstream.settle({
      transactionId: t.transactionId,
      toAccount: t.toAccount,
      amount: t.amount,
      currency: t.currency,
    }),
  );
  const r = yield* answer(deps.ledger.recordSettlement(t.transactionId, reference, deps.now()));
  if (r.settlement.state === 'VOIDED') throw settlementVoided(t.transactionId);
  return { reference: r.settlement.reference, alreadyDone: r.alreadyDone };
}

function* notify(ctx: StepContext, deps: StepDeps): Flow<StepOutput> {
  const t = ctx.transaction;
  yield* answer(
    deps.downstream.notify({
      transactionId: t.transactionId,
      fromAccount: t.fromAccount,
      toAccount: t.toAccount,
      amount: t.amount,
      currency: t.currency,
      outcome: 'SUCCEEDED',
    }),
  );
  return { notified: true };
}

/**
 * Also runs when ReserveFunds itself failed for good (its write may have landed all the same):
 * with no hold it leaves a RELEASED marker, so a late ReserveFunds write cannot hold funds afterwards.
 */
function* releaseFunds(ctx: StepContext, deps: StepDeps): Flow<StepOutput> {
  const t = ctx.transaction;
  const hold = yield* answer(
    deps.ledger.releaseHold(t.transactionId, deps.now(), { account: t.fromAccount, currency: t.currency }),
  );
  // Amounts are positive (transaction.ts): a RELEASED hold of 0 is the marker of "there was no hold".
  if (hold?.amount === 0) return { released: 0, state: hold.state, hadHold: false };
  return { released: hold ? hold.amount : 0, state: hold ? hold.state : null };
}

function* reverseLedger(ctx: StepContext, deps: StepDeps): Flow<StepOutput> {
  const r = yield* answer(deps.ledger.reverse(ctx.transaction.transactionId, deps.now()));
  return r
    ? { debit: r.entry.debitAccount, credit: r.entry.creditAccount, amount: r.entry.amount, alreadyDone: r.alreadyDone }
    : { reversed: false };
}

/**
 * Voids by transaction id whatever may have reached the payment network (a PENDING or SETTLED
 * settlement). With no settlement the ledger records a VOIDED marker, so a late SettlePayment
 * cannot settle afterwards; the network is not called.
 */
function* voidSettlement(ctx: StepContext, deps: StepDeps): Flow<StepOutput> {
  const id = ctx.transaction.transactionId;
  const s = yield* answer(deps.ledger.getSettlement(id));
  if (!s) {
    yield* answer(deps.ledger.voidSettlement(id, deps.now()));
    return { voided: false };
  }
  if (s.state !== 'VOIDED')
    yield* answer(deps.downstream.voidSettlement({ transactionId: id, reference: s.reference }));
  const v = yield* answer(deps.ledger.voidSettlement(id, deps.now()));
  return { voided: true, reference: v?.reference ?? s.reference };
}

const steps: Record<StepName, (ctx: StepContext, deps: StepDeps) => Flow<StepOutput>> = {
  ValidatePayment: validatePayment,
  ReserveFunds: reserveFunds,
  PostLedger: postLedger,
  SettlePayment: settlePayment,
  Notify: notify,
};

const compensations: Record<CompensationName, (ctx: StepContext, deps: StepDeps) => Flow<StepOutput>> = {
  ReleaseFunds: releaseFunds,
  ReverseLedger: reverseLedger,
  VoidSettlement: voidSettlement,
};

/** Runs one saga step. Throws StepError (TransientError / PermanentError / InsufficientFundsError). */
export const runStep: RunStep = (name, ctx, deps) => runFlow(steps[name](ctx, deps));

/** Runs one compensation. Compensations are idempotent: running one twice is harmless. */
export const runCompensation: RunCompensation = (name, ctx, deps) => runFlow(compensations[name](ctx, deps));

/** Delay before attempt `attempt + 1` after attempt `attempt` failed with `errorName`; null = do not retry. */
export function retryDelaySeconds(policy: RetryPolicy, attempt: number, errorName: string): number | null {
  const matches = policy.errors.includes('States.ALL') || policy.errors.includes(errorName);
  if (!matches || attempt >= policy.maxAttempts) return null;
  return retryDelayOf(policy, attempt);
}
