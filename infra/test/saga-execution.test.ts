/**
 * The SYNTHESIZED saga ASL (DefinitionString + DefinitionSubstitutions of the state machine in
 * the template) executed by an independent ASL interpreter (aws-local-stepfunctions) with
 * local task handlers that keep a ledger of what was applied and compensated.
 */
import './with-resolvers';
import { StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { sagaInput } from '../lambda/shared/saga-input';
import {
  COMPENSATION_FAILED_STATE,
  SAGA_COMPENSATION_FAILED_ERROR,
  sagaTaskNames,
  substitutionKey,
} from '../lib/constructs/saga-asl';
import type { CompensationExecutionInput } from '../platform/layout';
import {
  COMPENSATED_STATE,
  compensationsFor,
  compensationStateName,
  SAGA_COMPENSATED_ERROR,
  sagaDefinition,
  sagaErrors,
  stepNames,
  type StepName,
} from '../saga/definition';
import { resourcesOf, synthesize } from './synth';

let definition: Record<string, unknown>;

beforeAll(() => {
  const t = synthesize({ stages: ['staging'], nag: false }).template('staging', 'us-east-1');
  const machines = resourcesOf(t, 'AWS::StepFunctions::StateMachine');
  expect(machines).toHaveLength(1);
  const properties = machines[0]![1].Properties as {
    DefinitionString: string;
    DefinitionSubstitutions: Record<string, unknown>;
  };
  const subs = properties.DefinitionSubstitutions;
  let text = properties.DefinitionString;
  // Every task placeholder must be backed by a substitution; replace each with a local ARN.
  for (const name of sagaTaskNames()) {
    const key = substitutionKey(name);
    expect(subs[key], `substitution ${key}`).toBeDefined();
    text = text.split(`\${${key}}`).join(`arn:aws:lambda:us-east-1:123456789012:function:${name}`);
  }
  expect(text).not.toMatch(/\$\{/);
  definition = JSON.parse(text) as Record<string, unknown>;
});

type JSONValue = Parameters<StateMachine['run']>[0];

class SagaError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Plan {
  /** Step -> errors to throw on successive attempts (then succeed). */
  failures?: Partial<Record<StepName, string[]>>;
  /** Compensation that always fails. */
  brokenCompensation?: string;
  /** Execution input (default: what the processor starts a saga with). */
  input?: Record<string, unknown>;
}

const transaction = {
  transactionId: 'tx-1',
  fromAccount: 'a',
  toAccount: 'b',
  amount: 100,
  currency: 'EUR',
  createdAt: '2026-01-01T00:00:00Z',
};

async function execute(plan: Plan) {
  const calls: string[] = [];
  const inputs = new Map<string, Record<string, unknown>>();
  const attempts = new Map<string, number>();
  const handlers: Record<string, (input: JSONValue) => Promise<JSONValue>> = {};
  for (const name of sagaTaskNames()) {
    // Handlers are keyed by STATE name; compensation states are `Compensate<Name>`.
    const state = (stepNames as readonly string[]).includes(name) ? name : compensationStateName(name as never);
    handlers[state] = (input) => {
      const n = (attempts.get(name) ?? 0) + 1;
      attempts.set(name, n);
      calls.push(name);
      const planned = plan.failures?.[name as StepName]?.[n - 1];
      if (planned) return Promise.reject(new SagaError(planned, `${name} failed (attempt ${n})`));
      if (plan.brokenCompensation === name) return Promise.reject(new SagaError('Error', `${name} is broken`));
      const i = input as { task: string; retryCount: number; sagaId: string };
      inputs.set(name, input as Record<string, unknown>);
      expect(i.task).toBe(name);
      expect(i.sagaId).toBe('tx-1');
      return Promise.resolve({ done: name, attempt: i.retryCount + 1 });
    };
  }
  const retryIntervalOverrides = Object.fromEntries(
    Object.keys((definition as { States: object }).States).map((s) => [s, 0]),
  );
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const run = machine.run(
    // The processor's input is exactly { sagaId, transaction } (infra/lambda/shared/saga-input.ts).
    (plan.input ?? sagaInput('tx-1', transaction)) as JSONValue,
    // The interpreter's context object has no `State`; Step Functions provides $$.State.RetryCount.
    {
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
      context: { State: { RetryCount: 0 } },
    },
  );
  let output: unknown = null;
  let error: { name: string; cause: string } | null = null;
  try {
    output = await run.result;
  } catch (e) {
    // ExecutionError wraps the Fail state's error (name) and cause.
    const cause = (e as { cause?: { name?: string; message?: string } }).cause;
    error = { name: cause?.name ?? (e as Error).name, cause: cause?.message ?? (e as Error).message };
  }
  return { calls, output, error, attempts, inputs };
}

const compensationNamesSet = new Set<string>(
  sagaDefinition.steps.map((s) => s.compensation).filter((c): c is NonNullable<typeof c> => c !== null),
);

describe('the synthesized saga state machine, run by aws-local-stepfunctions', () => {
  it('applies every step exactly once and compensates nothing on the happy path', async () => {
    const { calls, output, error } = await execute({});
    expect(error).toBeNull();
    expect(calls).toEqual([...stepNames]);
    const results = (output as { results: Record<string, { done: string }> }).results;
    expect(Object.keys(results)).toEqual([...stepNames]);
  });

  for (const failing of stepNames) {
    it(`compensates ${failing} itself, then the completed steps in reverse order, when ${failing} fails for good`, async () => {
      const { calls, error } = await execute({ failures: { [failing]: [sagaErrors.permanent] } });
      const index = stepNames.indexOf(failing);
      const completed = stepNames.slice(0, index);
      const expected = [...completed, failing, ...compensationsFor(failing)];
      expect(calls).toEqual(expected);
      // The failed step's own compensation (its write may have landed), then the completed steps'
      // in reverse order, independent of compensationsFor:
      const byHand = [...completed, failing]
        .reverse()
        .map((s) => sagaDefinition.steps.find((d) => d.name === s)?.compensation)
        .filter(Boolean);
      expect(calls.filter((c) => compensationNamesSet.has(c))).toEqual(byHand);
      expect(error?.name).toBe(SAGA_COMPENSATED_ERROR);
    });
  }

  it("retries a transient failure with the step's policy and then completes without compensation", async () => {
    const { calls, error, attempts } = await execute({
      failures: { SettlePayment: [sagaErrors.transient, sagaErrors.transient] },
    });
    expect(error).toBeNull();
    expect(attempts.get('SettlePayment')).toBe(3);
    expect(calls.filter((c) => compensationNamesSet.has(c))).toEqual([]);
  });

  it('compensates the failed step and the completed ones after the retries of a transient failure are exhausted', async () => {
    const max = sagaDefinition.steps.find((s) => s.name === 'PostLedger')!.retry.maxAttempts;
    const { calls, error, attempts } = await execute({
      failures: { PostLedger: Array<string>(max).fill(sagaErrors.transient) },
    });
    expect(attempts.get('PostLedger')).toBe(max);
    expect(calls.filter((c) => compensationNamesSet.has(c))).toEqual(['ReverseLedger', 'ReleaseFunds']);
    expect(error?.name).toBe(SAGA_COMPENSATED_ERROR);
  });

  it("does not retry InsufficientFundsError and runs only ReserveFunds' own compensation (ReleaseFunds, a no-op marker there)", async () => {
    const { calls, attempts, error } = await execute({ failures: { ReserveFunds: [sagaErrors.insufficientFunds] } });
    expect(attempts.get('ReserveFunds')).toBe(1);
    expect(calls).toEqual(['ValidatePayment', 'ReserveFunds', 'ReleaseFunds']);
    expect(error?.name).toBe(SAGA_COMPENSATED_ERROR);
  });

  it('ends in CompensationFailed, not Compensated, when a compensation fails after its retries', async () => {
    const { calls, error, attempts } = await execute({
      failures: { Notify: [sagaErrors.permanent] },
      brokenCompensation: 'ReverseLedger',
    });
    expect(attempts.get('ReverseLedger')).toBe(sagaDefinition.compensationRetry.maxAttempts);
    expect(calls).not.toContain('ReleaseFunds');
    expect(error?.name).toBe(SAGA_COMPENSATION_FAILED_ERROR);
    expect(COMPENSATED_STATE).not.toBe(COMPENSATION_FAILED_STATE);
  });
});

describe('the compensation mode the console starts (infra/platform/layout.ts CompensationExecutionInput)', () => {
  const compensate = (results: Record<string, unknown>): CompensationExecutionInput => ({
    mode: 'compensate',
    sagaId: 'tx-1',
    transactionId: 'tx-1',
    transaction,
    results,
    reason: 'customer refund',
    requestedBy: 'op-1',
  });
  const done = (steps: StepName[]) => Object.fromEntries(steps.map((s) => [s, { done: s }]));

  it('compensates VoidSettlement, ReverseLedger, ReleaseFunds in that order after SettlePayment completed, and ends Compensated', async () => {
    const { calls, error, inputs } = await execute({
      input: compensate(done(['ValidatePayment', 'ReserveFunds', 'PostLedger', 'SettlePayment'])) as never,
    });
    expect(calls).toEqual(['VoidSettlement', 'ReverseLedger', 'ReleaseFunds']);
    expect(error?.name).toBe(SAGA_COMPENSATED_ERROR);
    // No $.error in the input: the compensations still get one, naming the operator request.
    expect(inputs.get('VoidSettlement')).toMatchObject({
      transaction,
      error: { Error: 'CompensationRequested' },
      results: { SettlePayment: { done: 'SettlePayment' } },
    });
  });

  it('runs no compensation when only ValidatePayment completed, and still ends Compensated', async () => {
    const { calls, error } = await execute({ input: compensate(done(['ValidatePayment'])) as never });
    expect(calls).toEqual([]);
    expect(error?.name).toBe(SAGA_COMPENSATED_ERROR);
  });

  it('compensates exactly the completed steps present in $.results, newest first', async () => {
    const { calls } = await execute({
      input: compensate(done(['ValidatePayment', 'ReserveFunds', 'PostLedger'])) as never,
    });
    expect(calls).toEqual(['ReverseLedger', 'ReleaseFunds']);
    const refund = await execute({ input: compensate(done([...stepNames])) as never });
    expect(refund.calls).toEqual(['VoidSettlement', 'ReverseLedger', 'ReleaseFunds']);
  });

  it('ends CompensationFailed when a compensation of the compensation mode fails for good', async () => {
    const { calls, error } = await execute({
      input: compensate(done(['ValidatePayment', 'ReserveFunds', 'PostLedger'])) as never,
      brokenCompensation: 'ReverseLedger',
    });
    expect(calls).not.toContain('ReleaseFunds');
    expect(error?.name).toBe(SAGA_COMPENSATION_FAILED_ERROR);
  });
});
