/**
 * Generates the Step Functions (Standard) ASL of the payment saga from `infra/saga/definition.ts`,
 * the same data the embedded platform executes, so both executors obey one definition.
 *
 * Shape:
 *   Mode (Choice): `$.mode == "compensate"` -> PrepareCompensation, otherwise ValidatePayment.
 *   ValidatePayment -> ReserveFunds -> PostLedger -> SettlePayment -> Notify -> Completed (Succeed)
 *   Each step: Task with TimeoutSeconds (stateTimeoutSeconds: above its function's timeout, so
 *   Step Functions never abandons an attempt that can still commit), Retry from its retry policy
 *   (MaxAttempts = attempts - 1, ASL counts retries), and Catch States.ALL -> compensationsFor(step)[0].
 *   Compensations form one reverse-order chain (VoidSettlement -> ReverseLedger -> ReleaseFunds);
 *   a failure at step k enters it at step k's own compensation (its write may have landed although
 *   the task failed) or, if step k has none, at the nearest compensable step before it, so the
 *   failed step and the completed steps are compensated, newest first. The chain ends in the Fail
 *   state `Compensated`; a compensation that fails for good goes to the Fail state
 *   `CompensationFailed` (operator needed), never to `Compensated`.
 *   Between two compensations of the chain a Choice gate (`If<Step>Completed`) runs the next
 *   compensation only if its step's result is present in `$.results`, else skips to the next
 *   gate: a saga that failed at step k always has the results of steps 1..k-1, so the gates
 *   pass there; they matter in compensation mode.
 *   Compensation mode (the console's operator compensation, input CompensationExecutionInput of
 *   infra/platform/layout.ts: mode, sagaId, transaction, results, reason, requestedBy):
 *   PrepareCompensation (Pass) sets `$.error` to CompensationRequested (the input has none), then
 *   enters the gates at the newest compensable step, so exactly the compensations of the steps
 *   present in `$.results` run, newest first, ending `Compensated` (none present: straight there).
 *
 * Resources are placeholders `${<Name>FunctionArn}` filled by the state machine's
 * DefinitionSubstitutions (CDK) or by a test's local ARNs.
 */
import {
  COMPENSATED_STATE,
  compensationsFor,
  compensationStateName,
  gateStateName,
  lambdaInvokeErrors,
  PREPARE_COMPENSATION_STATE,
  SAGA_COMPENSATED_ERROR,
  sagaDefinition,
  stateTimeoutSeconds,
  type CompensationName,
  type RetryPolicy,
  type StepName,
} from '../../saga/definition';

export const COMPLETED_STATE = 'Completed';
export const COMPENSATION_FAILED_STATE = 'CompensationFailed';
export const SAGA_COMPENSATION_FAILED_ERROR = 'SagaCompensationFailed';
export const MODE_STATE = 'Mode';
/** The `mode` of an execution input that only compensates (infra/platform/layout.ts). */
export const COMPENSATE_MODE = 'compensate';
/** `$.error` of a compensation-mode execution (its input carries no error). */
export const COMPENSATION_REQUESTED_ERROR = 'CompensationRequested';

export type SagaTaskName = StepName | CompensationName;

/** The DefinitionSubstitutions key of a task's function ARN. */
export function substitutionKey(name: SagaTaskName): string {
  return `${name}FunctionArn`;
}

interface AslRetrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds?: number;
}

function retrier(policy: RetryPolicy): AslRetrier {
  if (policy.maxAttempts < 1) throw new RangeError('retry.maxAttempts counts the first attempt and must be >= 1');
  return {
    ErrorEquals: [...policy.errors],
    IntervalSeconds: policy.intervalSeconds,
    MaxAttempts: policy.maxAttempts - 1,
    BackoffRate: policy.backoffRate,
    ...(policy.maxDelaySeconds === undefined ? {} : { MaxDelaySeconds: policy.maxDelaySeconds }),
  };
}

/** Retriers for a step: Lambda invoke errors first (AWS guidance; same counts as the step's policy), then the policy. */
function stepRetriers(policy: RetryPolicy): AslRetrier[] {
  const main = retrier(policy);
  if (main.ErrorEquals.includes('States.ALL')) return [main];
  return [{ ...main, ErrorEquals: [...lambdaInvokeErrors] }, main];
}

/**
 * Retriers for a compensation: throttled / failed invocations get the long invoke retry first;
 * the compensation's own errors the `compensationRetry` (`States.ALL` must be last: ASL rule).
 */
function compensationRetriers(): AslRetrier[] {
  return [retrier(sagaDefinition.compensationInvokeRetry), retrier(sagaDefinition.compensationRetry)];
}

export interface SagaAsl {
  Comment: string;
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
}

/**
 * @param resource the Resource of a task (default: `${<Name>FunctionArn}` placeholders).
 */
export function buildSagaAsl(resource: (name: SagaTaskName) => string = (n) => `\${${substitutionKey(n)}}`): SagaAsl {
  const steps = sagaDefinition.steps;
  const chain = [...steps]
    .map((s) => s.compensation)
    .filter((c): c is CompensationName => c !== null)
    .reverse();
  const states: SagaAsl['States'] = {};

  steps.forEach((step, i) => {
    const compensations = compensationsFor(step.name);
    // The chain is entered at one point and runs to its end: only valid if every step's
    // compensations are a suffix of the full reverse chain. The definition guarantees it; check.
    const entry = chain.length - compensations.length;
    if (compensations.some((c, j) => chain[entry + j] !== c)) {
      throw new Error(`compensations of ${step.name} are not a suffix of the reverse chain`);
    }
    const onFailure = compensations[0] ? compensationStateName(compensations[0]) : COMPENSATED_STATE;
    const next = steps[i + 1];
    states[step.name] = {
      Type: 'Task',
      Comment: step.description,
      Resource: resource(step.name),
      // The task sees the saga id, the transaction and its 1-based attempt (RetryCount is 0-based).
      Parameters: {
        'sagaId.$': '$.sagaId',
        'transaction.$': '$.transaction',
        'retryCount.$': '$$.State.RetryCount',
        task: step.name,
      },
      ResultPath: `$.results.${step.name}`,
      TimeoutSeconds: stateTimeoutSeconds(step.timeoutSeconds),
      Retry: stepRetriers(step.retry),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: onFailure }],
      ...(next ? { Next: next.name } : { Next: COMPLETED_STATE }),
    };
  });

  // The step each compensation undoes, and the gate in front of each compensation.
  const stepOf = new Map<CompensationName, StepName>(
    steps.flatMap((s) => (s.compensation ? [[s.compensation, s.name] as const] : [])),
  );
  const gate = (c: CompensationName | undefined): string => {
    if (!c) return COMPENSATED_STATE;
    const step = stepOf.get(c);
    if (!step) throw new Error(`compensation ${c} belongs to no step`);
    return gateStateName(step);
  };

  chain.forEach((compensation, i) => {
    const next = chain[i + 1];
    const step = stepOf.get(compensation)!;
    states[gateStateName(step)] = {
      Type: 'Choice',
      Comment: `Runs ${compensation} only if ${step} completed (its result is in $.results)`,
      Choices: [{ Variable: `$.results.${step}`, IsPresent: true, Next: compensationStateName(compensation) }],
      Default: gate(next),
    };
    states[compensationStateName(compensation)] = {
      Type: 'Task',
      Comment: `Compensation ${compensation}`,
      Resource: resource(compensation),
      Parameters: {
        'sagaId.$': '$.sagaId',
        'transaction.$': '$.transaction',
        'results.$': '$.results',
        'error.$': '$.error',
        'retryCount.$': '$$.State.RetryCount',
        task: compensation,
      },
      ResultPath: `$.compensations.${compensation}`,
      TimeoutSeconds: stateTimeoutSeconds(sagaDefinition.compensationTimeoutSeconds),
      Retry: compensationRetriers(),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.compensationError', Next: COMPENSATION_FAILED_STATE }],
      Next: gate(next),
    };
  });

  const first = steps[0];
  if (!first) throw new Error('the saga has no steps');
  states[MODE_STATE] = {
    Type: 'Choice',
    Comment: `Compensation mode (mode = "${COMPENSATE_MODE}") compensates the steps in $.results; otherwise the saga runs`,
    Choices: [
      {
        And: [
          { Variable: '$.mode', IsPresent: true },
          { Variable: '$.mode', StringEquals: COMPENSATE_MODE },
        ],
        Next: PREPARE_COMPENSATION_STATE,
      },
    ],
    Default: first.name,
  };
  states[PREPARE_COMPENSATION_STATE] = {
    Type: 'Pass',
    Comment: 'The input carries no $.error: the compensations see why they run',
    Result: {
      Error: COMPENSATION_REQUESTED_ERROR,
      Cause: 'An operator requested the compensation of this saga (reason and requestedBy are in the execution input)',
    },
    ResultPath: '$.error',
    Next: gate(chain[0]),
  };

  states[COMPLETED_STATE] = { Type: 'Succeed' };
  states[COMPENSATED_STATE] = {
    Type: 'Fail',
    Error: SAGA_COMPENSATED_ERROR,
    Cause: 'A step failed for good; it and the completed steps were compensated in reverse order',
  };
  states[COMPENSATION_FAILED_STATE] = {
    Type: 'Fail',
    Error: SAGA_COMPENSATION_FAILED_ERROR,
    Cause: 'A compensation failed after its retries; the saga needs an operator',
  };

  return {
    Comment: `${sagaDefinition.name}: generated from infra/saga/definition.ts`,
    StartAt: MODE_STATE,
    States: states,
  };
}

/**
 * Upper bound of one execution of `asl`, seconds: every Task (steps and compensations) using
 * every retry of every retrier, each attempt running to its TimeoutSeconds, plus the backoff
 * (capped by MaxDelaySeconds). The state machine's execution timeout must not be below it, or a
 * saga still compensating would be cut off (TIMED_OUT, its hold left HELD).
 */
export function worstCaseExecutionSeconds(asl: SagaAsl): number {
  let total = 0;
  for (const state of Object.values(asl.States)) {
    if (state.Type !== 'Task') continue;
    const retry = (state.Retry ?? []) as AslRetrier[];
    const timeout = Number(state.TimeoutSeconds ?? 60);
    let attempts = 1;
    for (const r of retry) {
      attempts += r.MaxAttempts;
      for (let n = 1; n <= r.MaxAttempts; n++) {
        const d = r.IntervalSeconds * Math.pow(r.BackoffRate, n - 1);
        total += r.MaxDelaySeconds === undefined ? d : Math.min(d, r.MaxDelaySeconds);
      }
    }
    total += attempts * timeout;
  }
  return total;
}

/** Every task of the saga, in definition order (steps, then compensations). */
export function sagaTaskNames(): SagaTaskName[] {
  const compensations = sagaDefinition.steps
    .map((s) => s.compensation)
    .filter((c): c is CompensationName => c !== null);
  return [...sagaDefinition.steps.map((s) => s.name), ...compensations];
}
