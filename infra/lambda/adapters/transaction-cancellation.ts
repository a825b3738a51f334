/**
 * What DynamoDB's refusals mean for the ledger. A cancelled TransactWriteItems is a business
 * answer ONLY when its CancellationReasons say a condition failed (Code ConditionalCheckFailed,
 * reasons listed in request order, "None" for the items without error). Another transaction on
 * one of the items (TransactionConflict), throttling (ThrottlingError,
 * ProvisionedThroughputExceeded) or any other code is contention, not an answer: it raises a
 * TransientError, which the saga definition retries.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { StepError } from '../../runtime/ports';
import { sagaErrors } from '../../saga/definition';

function cancelled(e: unknown): e is TransactionCanceledException {
  return e instanceof TransactionCanceledException || (e instanceof Error && e.name === 'TransactionCanceledException');
}

/**
 * What a failed TransactWriteItems means: returns the indexes (request order) of the items whose
 * condition failed, when condition failures are the ONLY cause of the cancellation. Any other
 * cancellation (conflict, throttling, no reasons at all) is thrown as a TransientError
 * (retryable) naming the codes; errors that are not cancellations are re-thrown as they are.
 */
export function failedConditions(e: unknown, what: string): number[] {
  if (!cancelled(e)) throw e;
  const reasons = e.CancellationReasons ?? [];
  const codes = reasons.map((r) => r.Code ?? 'None');
  const failed = codes.flatMap((c, i) => (c === 'None' ? [] : [{ code: c, index: i }]));
  if (failed.length > 0 && failed.every((f) => f.code === 'ConditionalCheckFailed')) return failed.map((f) => f.index);
  const why =
    failed.length > 0 ? failed.map((f) => `${f.code} on item ${f.index}`).join(', ') : 'no cancellation reasons';
  throw new StepError(sagaErrors.transient, `${what}: transaction cancelled (${why}); retry`);
}

/** A single conditional write (PutItem / UpdateItem) whose condition failed. */
export const conditionFailed = (e: unknown) => e instanceof Error && e.name === 'ConditionalCheckFailedException';
