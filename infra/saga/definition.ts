/**
 * The payment saga as data: the single source for the Step Functions state machine
 * (infra/lib/constructs/saga.ts builds the ASL from it) and for the embedded platform's
 * saga engine (server/platform/local executes it). Pure: no AWS, no Node APIs.
 *
 * Semantics (both executors must obey them):
 * - Steps run in order. A step is retried on `retry.errors` with exponential backoff
 *   (intervalSeconds × backoffRate^(attempt-1), capped at maxDelaySeconds when set) up to
 *   `retry.maxAttempts` attempts in all.
 * - A step that fails for good (a non-retryable error, or retries exhausted) stops the saga.
 *   Its OWN compensation runs first, then the compensations of the steps that COMPLETED, in
 *   reverse order (`compensationsFor`). The failed step is compensated because on AWS a task
 *   can fail after its write landed (the function crashed after its commit, or its answer was
 *   lost); every compensation is therefore a safe no-op where there is nothing to undo
 *   (ReleaseFunds with no hold leaves a RELEASED marker so a late ReserveFunds write cannot
 *   hold funds afterwards; ReverseLedger with no post and VoidSettlement with no settlement do nothing).
 * - A task's Step Functions timeout (`stateTimeoutSeconds`) exceeds its function's timeout
 *   (`timeoutSeconds`, the Lambda timeout), so Step Functions never abandons an attempt that can
 *   still commit: a retry starts only once the previous attempt is over.
 * - Compensations are retried with `compensationRetry`; a compensation that fails for good
 *   leaves the saga FAILED (needs an operator), never silently COMPENSATED. On AWS a compensation
 *   whose invocation is throttled or hits a Lambda service error is retried by
 *   `compensationInvokeRetry` (minutes, many attempts), since an outage makes most sagas compensate
 *   at once; the embedded engine invokes no Lambda, so it never sees those errors.
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

/** A saga's status, as both executors (Step Functions and the embedded engine) report it. */
export const sagaStatuses = ['RUNNING', 'SUCCEEDED', 'COMPENSATING', 'COMPENSATED', 'FAILED'] as const;
export type SagaStatus = (typeof sagaStatuses)[number];

export interface RetryPolicy {
  errors: readonly string[];
  intervalSeconds: number;
  maxAttempts: number; // attempts in all, first one included
  backoffRate: number;
  /** Upper bound of one delay (ASL MaxDelaySeconds); none when absent. */
  maxDelaySeconds?: number;
}

export interface SagaStepDefinition {
  name: StepName;
  description: string;
  compensation: CompensationName | null;
  /** Timeout of the step's function (the Lambda timeout). Step Functions waits `stateTimeoutSeconds` of it. */
  timeoutSeconds: number;
  retry: RetryPolicy;
}

const transientRetry: RetryPolicy = {
  errors: [sagaErrors.transient, 'States.Timeout'],
  intervalSeconds: 1,
  maxAttempts: 3,
  backoffRate: 2,
};

/**
 * Notify's retry: a notification outage (e.g. an EventBridge throttling burst) must not reverse
 * a payment that was posted and settled, so Notify keeps trying for about 2 minutes
 * (2+4+...+64 s = 126 s of backoff over 7 attempts) before the saga compensates.
 */
const notifyRetry: RetryPolicy = {
  errors: [sagaErrors.transient, 'States.Timeout'],
  intervalSeconds: 2,
  maxAttempts: 7,
  backoffRate: 2,
  maxDelaySeconds: 64,
};

/** Lambda's errors for an invocation that never ran or whose answer was lost (AWS guidance: retry them). */
export const lambdaInvokeErrors = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
] as const;

/**
 * Time Step Functions allows one invocation beyond the function's own timeout: Lambda's init phase
 * (up to 10 s, not counted in the function timeout) plus the invoke's round trip.
 */
export const STATE_TIMEOUT_MARGIN_SECONDS = 15;

/** The Step Functions TimeoutSeconds of a task whose function times out after `functionTimeoutSeconds`. */
export function stateTimeoutSeconds(functionTimeoutSeconds: number): number {
  return functionTimeoutSeconds + STATE_TIMEOUT_MARGIN_SECONDS;
}

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
      retry: notifyRetry,
    },
  ] satisfies SagaStepDefinition[],
  /** Timeout of a compensation's function (the Lambda timeout). */
  compensationTimeoutSeconds: 30,
  compensationRetry: {
    errors: ['States.ALL'],
    intervalSeconds: 2,
    maxAttempts: 5,
    backoffRate: 2,
  } satisfies RetryPolicy,
  /**
   * A compensation whose invocation is throttled (compensation functions are sized for a share
   * of the sagas, an outage makes nearly all of them compensate) or meets a Lambda service
   * error: retried for about half an hour (5+10+...+80 s, then every 120 s: 1,835 s of backoff
   * over 20 attempts) before the compensation fails for good. Matched before `compensationRetry`.
   */
  compensationInvokeRetry: {
    errors: lambdaInvokeErrors,
    intervalSeconds: 5,
    maxAttempts: 20,
    backoffRate: 2,
    maxDelaySeconds: 120,
  } satisfies RetryPolicy,
} as const;

export type SagaDefinition = typeof sagaDefinition;

/**
 * The compensations to run when `failedStep` fails for good, in execution order: the failed
 * step's own compensation first (its write may have landed although the task failed), then
 * those of the completed steps, newest first.
 */
export function compensationsFor(failedStep: StepName): CompensationName[] {
  const index = sagaDefinition.steps.findIndex((s) => s.name === failedStep);
  if (index < 0) throw new Error(`unknown saga step ${failedStep}`);
  return sagaDefinition.steps
    .slice(0, index + 1)
    .map((s) => s.compensation)
    .filter((c): c is CompensationName => c !== null)
    .reverse();
}

/** Total backoff of a retry policy when every attempt fails (the delays between its attempts), seconds. */
export function retryWindowSeconds(policy: RetryPolicy): number {
  let total = 0;
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) total += retryDelayOf(policy, attempt);
  return total;
}

/** Delay after failed attempt `attempt` (1-based) of `policy`, seconds (ASL: interval × rate^(n-1), capped). */
export function retryDelayOf(policy: RetryPolicy, attempt: number): number {
  const d = policy.intervalSeconds * Math.pow(policy.backoffRate, attempt - 1);
  return policy.maxDelaySeconds === undefined ? d : Math.min(d, policy.maxDelaySeconds);
}

/*
 * Names in the Step Functions (ASL) state machine that others depend on: the ASL generator
 * (infra/lib/constructs/saga-asl.ts) writes them, the console's AWS adapter
 * (server/platform/aws/saga-history.ts) reads execution histories by them, and the saga alarm
 * (infra/lib/constructs/observability.ts) filters on the error.
 */
/** The Fail state a saga ends in once the failed step and the completed steps were compensated. */
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
