/**
 * The generated saga ASL (buildSagaAsl) run by aws-local-stepfunctions with the REAL saga steps
 * (infra/runtime/saga-steps.ts) on the embedded SQLite ledger; only the failures are injected:
 * a task that fails AFTER its effect was applied (Step Functions' view of a Lambda that committed
 * and then crashed or lost its answer), throttling, and Lambda invoke errors.
 */
import '../../test/with-resolvers';
import { StateMachine } from 'aws-local-stepfunctions';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Db } from '../../embedded/db';
import { accountOf, fixtureTransaction, twoAccountDb } from '../../embedded/ledger-fixture';
import { SqliteLedgerStore } from '../../embedded/ledger-store';
import { StepError, type LedgerStore, type StepDeps } from '../../runtime/ports';
import { runCompensation, runStep } from '../../runtime/saga-steps';
import {
  compensationNames,
  compensationStateName,
  lambdaInvokeErrors,
  retryWindowSeconds,
  SAGA_COMPENSATED_ERROR,
  sagaDefinition,
  sagaErrors,
  stateTimeoutSeconds,
  stepNames,
  type CompensationName,
  type StepName,
} from '../../saga/definition';
import { buildSagaAsl, SAGA_COMPENSATION_FAILED_ERROR, worstCaseExecutionSeconds } from './saga-asl';

type JSONValue = Parameters<StateMachine['run']>[0];

const tx = fixtureTransaction;

let db: Db;
let ledger: LedgerStore;
let settled: string[];
let voided: string[];
let notified: string[];

beforeEach(() => {
  db = twoAccountDb();
  ledger = new SqliteLedgerStore(db);
  settled = [];
  voided = [];
  notified = [];
});

const account = (id: string) => accountOf(db, id);
const holdState = () =>
  db.prepare<[string], { state: string }>('SELECT state FROM holds WHERE transaction_id = ?').get('tx-1')?.state;

class TaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * What an attempt (1-based, by position) does: 'apply-then-timeout' runs the real step and then
 * fails as Step Functions reports a task that timed out; 'throttled' fails before doing anything
 * (TransientError); 'invoke-throttled' is Lambda refusing the invocation.
 */
type Fault = 'apply-then-timeout' | 'throttled' | 'invoke-throttled';

interface Run {
  outcome: string | null;
  attempts: Map<string, number>;
}

async function runSaga(
  faults: Partial<Record<StepName | CompensationName, Fault[]>>,
  ledgerFor: (step: StepName) => LedgerStore = () => ledger,
): Promise<Run> {
  const asl = buildSagaAsl((n) => `arn:aws:lambda:us-east-1:123456789012:function:${n}`);
  const attempts = new Map<string, number>();
  const deps = (step: StepName | null): StepDeps => ({
    ledger: step ? ledgerFor(step) : ledger,
    downstream: {
      settle: (r) => {
        settled.push(r.transactionId);
        return Promise.resolve({ reference: `stl-${r.transactionId}` });
      },
      voidSettlement: (r) => {
        voided.push(r.transactionId);
        return Promise.resolve();
      },
      notify: (r) => {
        notified.push(r.transactionId);
        return Promise.resolve();
      },
    },
    now: () => 1,
  });
  const attempt = (name: string): { n: number; fault: Fault | undefined } => {
    const n = (attempts.get(name) ?? 0) + 1;
    attempts.set(name, n);
    return { n, fault: faults[name as StepName]?.[n - 1] };
  };
  const refuse = (name: string, fault: Fault | undefined) => {
    if (fault === 'throttled') throw new TaskError(sagaErrors.transient, `${name}: DynamoDB throttled`);
    if (fault === 'invoke-throttled') throw new TaskError('Lambda.TooManyRequestsException', 'Rate exceeded');
  };
  const handlers: Record<string, (input: JSONValue) => Promise<JSONValue>> = {};
  for (const step of stepNames) {
    handlers[step] = async (input) => {
      const { n, fault } = attempt(step);
      refuse(step, fault);
      const ctx = { sagaId: 'tx-1', transaction: (input as { transaction: typeof tx }).transaction, attempt: n };
      const out = await runStep(step, ctx, deps(step));
      if (fault === 'apply-then-timeout')
        throw new TaskError('States.Timeout', `${step}: task timed out after its effect was applied`);
      return out;
    };
  }
  for (const c of compensationNames) {
    handlers[compensationStateName(c)] = async (input) => {
      const { n, fault } = attempt(c);
      refuse(c, fault);
      const ctx = { sagaId: 'tx-1', transaction: (input as { transaction: typeof tx }).transaction, attempt: n };
      return await runCompensation(c, ctx, deps(null));
    };
  }
  const machine = new StateMachine(asl as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const retryIntervalOverrides = Object.fromEntries(Object.keys(asl.States).map((s) => [s, 0]));
  const run = machine.run(
    { sagaId: 'tx-1', transaction: tx },
    {
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
      context: { State: { RetryCount: 0 } },
    },
  );
  try {
    await run.result;
    return { outcome: null, attempts };
  } catch (e) {
    const cause = (e as { cause?: { name?: string } }).cause;
    return { outcome: cause?.name ?? (e as Error).name, attempts };
  }
}

/** The ledger, except that SettlePayment's `recordSettlement` is throttled on every attempt. */
const recordThrottled = (step: StepName): LedgerStore =>
  step !== 'SettlePayment'
    ? ledger
    : new Proxy(ledger, {
        get(target, prop, receiver) {
          if (prop === 'recordSettlement')
            return () => Promise.reject(new StepError(sagaErrors.transient, 'PutItem throttled'));
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });

const notifyAttempts = sagaDefinition.steps.find((s) => s.name === 'Notify')!.retry.maxAttempts;

describe('the saga compensates a step that failed for good after its effect was applied', () => {
  it('leaves no hold when ReserveFunds placed its hold, timed out and was then throttled on every retry', async () => {
    const { outcome } = await runSaga({ ReserveFunds: ['apply-then-timeout', 'throttled', 'throttled'] });
    expect(outcome).toBe(SAGA_COMPENSATED_ERROR);
    expect(account('a')).toEqual({ balance: 1000, held: 0 });
    expect(holdState()).toBe('RELEASED');
  });

  it('reverses the post and releases the hold when PostLedger committed, timed out and was then throttled', async () => {
    const { outcome } = await runSaga({ PostLedger: ['apply-then-timeout', 'throttled', 'throttled'] });
    expect(outcome).toBe(SAGA_COMPENSATED_ERROR);
    expect(account('a')).toEqual({ balance: 1000, held: 0 });
    expect(account('b')).toEqual({ balance: 0, held: 0 });
  });

  it('voids at the payment network every settlement it was asked for when the saga compensates', async () => {
    // The network accepted the settlement, then recording it in the ledger is throttled on every attempt.
    const { outcome } = await runSaga({}, recordThrottled);
    expect(outcome).toBe(SAGA_COMPENSATED_ERROR);
    expect(account('b')).toEqual({ balance: 0, held: 0 });
    // Each SettlePayment attempt asks the network again (idempotent by transaction id): one void covers them.
    expect(new Set(settled)).toEqual(new Set(['tx-1']));
    expect(voided).toEqual(['tx-1']);
  });

  it('leaves a RELEASED marker when ReserveFunds is refused for insufficient funds, so a late write cannot hold funds', async () => {
    db.prepare("UPDATE accounts SET balance = 100, opening_balance = 100 WHERE id = 'a'").run();
    const { outcome } = await runSaga({});
    expect(outcome).toBe(SAGA_COMPENSATED_ERROR);
    expect(holdState()).toBe('RELEASED');
    expect(() => ledger.placeHold('tx-1', 'a', 50, 'USD', 2)).toThrow(/already released/);
    expect(account('a')).toEqual({ balance: 100, held: 0 });
  });
});

describe('the saga rides out a notification outage shorter than Notify’s retries', () => {
  it('completes without reversing a posted and settled payment when Notify is throttled on all but its last attempt', async () => {
    const burst = Array<Fault>(notifyAttempts - 1).fill('throttled');
    const { outcome, attempts } = await runSaga({ Notify: burst });
    expect(outcome).toBeNull();
    expect(attempts.get('Notify')).toBe(notifyAttempts);
    expect(account('b')).toEqual({ balance: 700, held: 0 });
    expect(voided).toEqual([]);
    expect(notified).toEqual(['tx-1']);
  });

  it('gives Notify minutes of backoff, not seconds, before the saga compensates', () => {
    const notify = sagaDefinition.steps.find((s) => s.name === 'Notify')!.retry;
    expect(retryWindowSeconds(notify)).toBeGreaterThanOrEqual(120);
    const state = buildSagaAsl().States.Notify as { Retry: { ErrorEquals: string[]; MaxAttempts: number }[] };
    expect(state.Retry).toContainEqual(
      expect.objectContaining({
        ErrorEquals: [sagaErrors.transient, 'States.Timeout'],
        MaxAttempts: notifyAttempts - 1,
      }),
    );
  });

  it('still compensates (design policy) when Notify fails on every attempt', async () => {
    const { outcome } = await runSaga({ Notify: Array<Fault>(notifyAttempts).fill('throttled') });
    expect(outcome).toBe(SAGA_COMPENSATED_ERROR);
    expect(account('b')).toEqual({ balance: 0, held: 0 });
    expect(voided).toEqual(['tx-1']);
  });
});

describe('compensation tasks whose invocations Lambda throttles', () => {
  const invokeAttempts = sagaDefinition.compensationInvokeRetry.maxAttempts;

  it('keep retrying throttled invocations well past compensationRetry, ending Compensated with the hold released', async () => {
    const throttled = Array<Fault>(invokeAttempts - 1).fill('invoke-throttled');
    expect(throttled.length).toBeGreaterThan(sagaDefinition.compensationRetry.maxAttempts);
    const { outcome, attempts } = await runSaga({
      SettlePayment: ['throttled', 'throttled', 'throttled'],
      ReleaseFunds: throttled,
    });
    expect(outcome).toBe(SAGA_COMPENSATED_ERROR);
    expect(attempts.get('ReleaseFunds')).toBe(invokeAttempts);
    expect(account('a')).toEqual({ balance: 1000, held: 0 });
  });

  it('end CompensationFailed (operator needed), never Compensated, once the invoke retries are exhausted', async () => {
    const { outcome } = await runSaga({
      SettlePayment: ['throttled', 'throttled', 'throttled'],
      ReleaseFunds: Array<Fault>(invokeAttempts).fill('invoke-throttled'),
    });
    expect(outcome).toBe(SAGA_COMPENSATION_FAILED_ERROR);
  });

  it('retry Lambda invoke errors for about half an hour with capped backoff, before the States.ALL retrier', () => {
    const asl = buildSagaAsl();
    const policy = sagaDefinition.compensationInvokeRetry;
    expect(retryWindowSeconds(policy)).toBeGreaterThanOrEqual(30 * 60);
    for (const c of compensationNames) {
      const retry = (asl.States[compensationStateName(c)] as { Retry: Record<string, unknown>[] }).Retry;
      expect(retry[0]).toEqual({
        ErrorEquals: [...lambdaInvokeErrors],
        IntervalSeconds: policy.intervalSeconds,
        MaxAttempts: policy.maxAttempts - 1,
        BackoffRate: policy.backoffRate,
        MaxDelaySeconds: policy.maxDelaySeconds,
      });
      expect(retry.at(-1)?.ErrorEquals).toEqual(['States.ALL']);
    }
  });
});

describe('task and execution timeouts of the generated ASL', () => {
  it('gives every task longer than its function may run, so Step Functions never abandons an attempt that can still commit', () => {
    const asl = buildSagaAsl();
    for (const step of sagaDefinition.steps)
      expect(asl.States[step.name]!.TimeoutSeconds).toBe(stateTimeoutSeconds(step.timeoutSeconds));
    for (const step of sagaDefinition.steps)
      expect(Number(asl.States[step.name]!.TimeoutSeconds)).toBeGreaterThan(step.timeoutSeconds);
    for (const c of compensationNames)
      expect(Number(asl.States[compensationStateName(c)]!.TimeoutSeconds)).toBeGreaterThan(
        sagaDefinition.compensationTimeoutSeconds,
      );
  });

  it('bounds one execution by every task using every retry to its timeout, compensations included', () => {
    const worst = worstCaseExecutionSeconds(buildSagaAsl());
    // At least the three compensations' invoke retry windows, one after the other.
    expect(worst).toBeGreaterThan(3 * retryWindowSeconds(sagaDefinition.compensationInvokeRetry));
  });
});
