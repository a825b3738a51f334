/**
 * The payment saga as data: the single source for the Step Functions state machine
 * (infra/lib/constructs/saga.ts builds the ASL from it) and for the embedded platform's
 * saga engine (server/platform/local executes it). Pure: no AWS, no Node APIs.
 *
 * Semantics (both executors must obey them):
 * - Steps run in order. A step is retried on `retry.errors` with exponential backoff
 *   (intervalSeconds × backoffRate^(attempt-1)) up to `retry.maxAttempts` attempts in all.
 * - A step that fails for good (a non-retryable error, or retries exhausted) stops the saga;
 *   the compensations of the steps that COMPLETED run in reverse order. The failed step
 *   itself is not compensated (its effect is all-or-nothing).
 * - Compensations are retried with `compensationRetry`; a compensation that fails for good
 *   leaves the saga FAILED (needs an operator), never silently COMPENSATED.
 */
export const sagaErrors = {
  /** Retryable: downstream timeouts, throttling, outages. */
  transient: 'TransientError',
  /** Not retryable: the business rules say no (e.g. validation). */
  permanent: 'PermanentError',
  /** Not retryable: the source account cannot cover the amount. */
  insufficientFunds: 'InsufficientFundsError',
} as const;
export type SagaErrorName = (typeof sagaErrors)[keyof typeof sagaErrors];

export const stepNames = ['ValidatePayment', 'ReserveFunds', 'PostLedger', 'SettlePayment', 'Notify'] as const;
export type StepName = (typeof stepNames)[number];
export const compensationNames = ['ReleaseFunds', 'ReverseLedger', 'VoidSettlement'] as const;
export type CompensationName = (typeof compensationNames)[number];

export interface RetryPolicy {
  errors: readonly string[];
  intervalSeconds: number;
  maxAttempts: number; // attempts in all, first one included
  backoffRate: number;
}

export interface SagaStepDefinition {
  name: StepName;
  description: string;
  compensation: CompensationName | null;
  timeoutSeconds: number;
  retry: RetryPolicy;
}

const transientRetry: RetryPolicy = {
  errors: [sagaErrors.transient, 'States.Timeout'],
  intervalSeconds: 1,
  maxAttempts: 3,
  backoffRate: 2,
};

export const sagaDefinition = {
  name: 'PaymentSaga',
  steps: [
    { name: 'ValidatePayment', description: 'Checks accounts, currency and limits', compensation: null, timeoutSeconds: 10, retry: transientRetry },
    { name: 'ReserveFunds', description: 'Places a hold on the source account', compensation: 'ReleaseFunds', timeoutSeconds: 10, retry: transientRetry },
    { name: 'PostLedger', description: 'Posts the double-entry journal lines', compensation: 'ReverseLedger', timeoutSeconds: 10, retry: transientRetry },
    { name: 'SettlePayment', description: 'Settles with the payment network', compensation: 'VoidSettlement', timeoutSeconds: 20, retry: transientRetry },
    { name: 'Notify', description: 'Notifies the customer', compensation: null, timeoutSeconds: 10, retry: transientRetry },
  ] satisfies SagaStepDefinition[],
  compensationRetry: { errors: ['States.ALL'], intervalSeconds: 2, maxAttempts: 5, backoffRate: 2 } satisfies RetryPolicy,
} as const;

export type SagaDefinition = typeof sagaDefinition;

/** The compensations to run when `failedStep` fails for good, in execution order. */
export function compensationsFor(failedStep: StepName): CompensationName[] {
  const index = sagaDefinition.steps.findIndex((s) => s.name === failedStep);
  if (index < 0) throw new Error(`unknown saga step ${failedStep}`);
  return sagaDefinition.steps
    .slice(0, index)
    .map((s) => s.compensation)
    .filter((c): c is CompensationName => c !== null)
    .reverse();
}
