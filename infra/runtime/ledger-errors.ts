/**
 * The permanent answers both ledgers (the SQLite one of the embedded platform, the DynamoDB one
 * of the Lambdas) give with the same words, so a saga's timeline reads the same on both.
 */
import { sagaErrors } from '../saga/definition';
import { StepError, type Hold } from './ports';

/** ReleaseFunds on a hold that PostLedger captured: the money moved, so the ledger must be reversed first. */
export const holdCaptured = (transactionId: string) =>
  new StepError(
    sagaErrors.permanent,
    `hold of ${transactionId} is captured by a ledger post: reverse the ledger first`,
  );

/** ReserveFunds for a transaction whose hold was released: its saga was compensated, the transaction is decided. */
export const alreadyReleased = (transactionId: string) =>
  new StepError(
    sagaErrors.permanent,
    `transaction ${transactionId} was already released by a compensation: it cannot reserve funds again`,
  );

/**
 * ReleaseFunds' marker for a transaction that had no hold: RELEASED, amount 0, so a ReserveFunds
 * attempt still in flight cannot place a hold after the compensation ran.
 */
export const releasedMarker = (transactionId: string, marker?: { account: string; currency: string }): Hold => ({
  transactionId,
  account: marker?.account ?? '',
  amount: 0,
  currency: marker?.currency ?? '',
  state: 'RELEASED',
});
