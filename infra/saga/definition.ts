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
    {
      name: 'ValidatePayment',
      description: 'Checks accounts, currency and limits',
      compensation: null,
      timeoutSeconds: 10,
      retry: transientRetry,
    },
    {
      name: 'ReserveFunds',
      description: 'Places a hold on the source account',
      compensation: 'ReleaseFunds',
      timeoutSeconds: 10,
      retry: transientRetry,
    },
    {
      name: 'PostLedger',
      description: 'Posts the double-entry journal lines',
      compensation: 'ReverseLedger',
      timeoutSeconds: 10,
      retry: transientRetry,
    },
    {
      name: 'SettlePayment',
      description: 'Settles with the payment network',
      compensation: 'VoidSettlement',
      timeoutSeconds: 20,
      retry: transientRetry,
    },
    {
      name: 'Notify',
      description: 'Notifies the customer',
      compensation: null,
      timeoutSeconds: 10,
      retry: transientRetry,
    },
  ] satisfies SagaStepDefinition[],
  compensationRetry: {
    errors: ['States.ALL'],
    intervalSeconds: 2,
    maxAttempts: 5,
    backoffRate: 2,
  } satisfies RetryPolicy,
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

/*
 * Names in the Step Functions (ASL) state machine that others depend on: the ASL generator
 * (infra/lib/constructs/saga-asl.ts) writes them, the console's AWS adapter
 * (server/platform/aws/sagas.ts) reads execution histories by them, and the saga alarm
 * (infra/lib/constructs/observability.ts) filters on the error.
 */
/** The Fail state a saga ends in once the completed steps were compensated. */
export const COMPENSATED_STATE = 'Compensated';
/** The Error of the `COMPENSATED_STATE` Fail state (the execution's error when it compensated). */
export const SAGA_COMPENSATED_ERROR = 'SagaCompensated';
/** Prefix of the ASL state that runs a compensation (keeps state names distinct from step names). */
export const COMPENSATION_STATE_PREFIX = 'Compensate';

/** The Pass state a compensation-mode execution (an operator's request) enters before the chain. */
export const PREPARE_COMPENSATION_STATE = 'PrepareCompensation';

/** Name of the ASL state that runs a compensation, e.g. `CompensateReleaseFunds`. */
export function compensationStateName(name: CompensationName): string {
  return `${COMPENSATION_STATE_PREFIX}${name}`;
}

/** Name of the ASL Choice state that runs a step's compensation only if the step completed, e.g. `IfPostLedgerCompleted`. */
export function gateStateName(step: StepName): string {
  return `If${step}Completed`;
}
