// Before aws-local-stepfunctions: it needs Promise.withResolvers, which Node 20 lacks.
import '../../../infra/test/with-resolvers';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  HistoryEventType,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildSagaAsl } from '../../../infra/lib/constructs/saga-asl';
import { compensationExecutionName, sagaIdFor } from '../../../infra/platform/layout';
import {
  COMPENSATED_STATE,
  compensationNames,
  compensationStateName,
  SAGA_COMPENSATED_ERROR,
  sagaDefinition,
  sagaErrors,
  stepNames,
} from '../../../infra/saga/definition';
import { compensationPreviewSchema, sagaDetailSchema, sagaSummarySchema } from '../platform.schema';
import { executionArnFor } from './saga-executions';
import { isCompensationState, parseHistory } from './saga-history';
import { callerOf, NOW, testConfig, testPlatform } from './testing';

const sfn = mockClient(SFNClient);
const ddb = mockClient(DynamoDBDocumentClient);
mockClient(DynamoDBClient);
const config = testConfig();
const operator = callerOf('operator', 'op-1');
const tx = {
  transactionId: 'tx-42',
  fromAccount: 'acc-a',
  toAccount: 'acc-b',
  amount: 2500,
  currency: 'EUR',
  createdAt: '2026-11-26T11:00:00Z',
};
const arn = executionArnFor(config.stateMachineArn, 'tx-42');
const compArn = executionArnFor(config.stateMachineArn, compensationExecutionName('tx-42'));

/** A history builder in the shape Step Functions returns (Lambda task states). */
function historyOf(...parts: [string, 'ok' | 'fail' | 'fail-fail-fail' | 'running'][]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  let id = 0;
  let t = NOW - 60_000;
  const add = (type: string, extra: Partial<HistoryEvent> = {}) =>
    events.push({ id: ++id, type: type as HistoryEvent['type'], timestamp: new Date((t += 100)), ...extra });
  add('ExecutionStarted');
  for (const [state, outcome] of parts) {
    add('TaskStateEntered', {
      stateEnteredEventDetails: { name: state, input: JSON.stringify({ sagaId: 'tx-42', transaction: tx }) },
    });
    const attempts = outcome === 'fail-fail-fail' ? 3 : 1;
    for (let a = 0; a < attempts; a++) {
      add('LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: { resource: 'arn:fn' } });
      add('LambdaFunctionStarted');
      if (outcome === 'ok')
        add('LambdaFunctionSucceeded', {
          lambdaFunctionSucceededEventDetails: { output: JSON.stringify({ step: state }) },
        });
      if (outcome.startsWith('fail'))
        add('LambdaFunctionFailed', {
          lambdaFunctionFailedEventDetails: { error: 'TransientError', cause: 'settlement network timeout' },
        });
    }
    if (outcome === 'ok') add('TaskStateExited', { stateExitedEventDetails: { name: state, output: '{}' } });
  }
  return events;
}

const compensatedHistory = [
  ...historyOf(
    ['ValidatePayment', 'ok'],
    ['ReserveFunds', 'ok'],
    ['PostLedger', 'ok'],
    ['SettlePayment', 'fail-fail-fail'],
    ['CompensateReverseLedger', 'ok'],
    ['CompensateReleaseFunds', 'ok'],
  ),
  {
    id: 900,
    type: 'FailStateEntered',
    timestamp: new Date(NOW - 1000),
    stateEnteredEventDetails: { name: 'Compensated' },
  },
  {
    id: 901,
    type: 'ExecutionFailed',
    timestamp: new Date(NOW - 900),
    executionFailedEventDetails: { error: 'SagaCompensated', cause: 'compensated' },
  },
] as HistoryEvent[];

function describeResponse(status: string, extra: Record<string, unknown> = {}) {
  return {
    executionArn: arn,
    stateMachineArn: config.stateMachineArn,
    name: 'tx-42',
    status,
    startDate: new Date(NOW - 60_000),
    input: JSON.stringify({ sagaId: 'tx-42', transaction: tx }),
    ...extra,
  } as never;
}

/** A SUCCEEDED execution `tx-<n>` that started n seconds before NOW, as ListExecutions lists it. */
const succeededExecution = (n: number) => ({
  executionArn: executionArnFor(config.stateMachineArn, `tx-${n}`),
  stateMachineArn: config.stateMachineArn,
  name: `tx-${n}`,
  status: 'SUCCEEDED' as const,
  startDate: new Date(NOW - n * 1000),
  stopDate: new Date(NOW - n * 1000 + 500),
});

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
const notFound = Object.assign(new Error('Execution Does Not Exist'), { name: 'ExecutionDoesNotExist', $metadata: {} });

beforeEach(() => {
  sfn.reset();
  ddb.reset();
  sfn.on(DescribeExecutionCommand, { executionArn: compArn }).rejects(notFound);
});

type InterpreterEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
const historyEventTypes = new Set<string>(Object.values(HistoryEventType));

function historyEventType(type: string): HistoryEventType {
  if (!historyEventTypes.has(type)) throw new Error(`Step Functions has no history event type ${type}`);
  return type as HistoryEventType;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The history GetExecutionHistory returns for an execution of Lambda tasks, from the event log of
 * aws-local-stepfunctions: `<Type>StateEntered`/`<Type>StateExited` with name, input and output;
 * one LambdaFunctionScheduled per attempt (the Task's entry and each StateRetried); a Task's
 * StateFailed (one per failed attempt, with Error and Cause) is LambdaFunctionFailed; an attempt
 * that did not fail gets LambdaFunctionSucceeded with the handler's result before the exit;
 * ExecutionStarted/Succeeded/Failed map one to one. StateCaught and a Fail state's StateFailed have
 * no event of their own in Step Functions; anything else (Map, Parallel, abort) is not expected.
 */
function historyFrom(log: InterpreterEvent[], taskResults: Map<string, unknown[]>): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const add = (type: string, timestamp: number, details: Partial<HistoryEvent> = {}) =>
    events.push({ id: events.length + 1, type: historyEventType(type), timestamp: new Date(timestamp), ...details });
  let attemptFailed = false;
  for (const e of log) {
    switch (e.type) {
      case 'ExecutionStarted':
        add(e.type, e.timestamp, { executionStartedEventDetails: { input: text(e.input) } });
        break;
      case 'StateEntered':
        add(`${e.state.type}StateEntered`, e.timestamp, {
          stateEnteredEventDetails: { name: e.state.name, input: text(e.state.input) },
        });
        if (e.state.type === 'Task') add('LambdaFunctionScheduled', e.timestamp);
        attemptFailed = false;
        break;
      case 'StateRetried':
        add('LambdaFunctionScheduled', e.timestamp);
        attemptFailed = false;
        break;
      case 'StateFailed':
        if (e.state.type === 'Task')
          add('LambdaFunctionFailed', e.timestamp, {
            lambdaFunctionFailedEventDetails: { error: e.Error, cause: text(e.Cause) },
          });
        attemptFailed = true;
        break;
      case 'StateCaught':
        break;
      case 'StateExited': {
        if (e.state.type === 'Task' && !attemptFailed) {
          const results = taskResults.get(e.state.name);
          if (!results?.length) throw new Error(`${e.state.name} exited without a handler result`);
          add('LambdaFunctionSucceeded', e.timestamp, {
            lambdaFunctionSucceededEventDetails: { output: text(results.shift()) },
          });
        }
        add(`${e.state.type}StateExited`, e.timestamp, {
          stateExitedEventDetails: { name: e.state.name, output: text(e.state.output) },
        });
        break;
      }
      case 'ExecutionSucceeded':
        add(e.type, e.timestamp, { executionSucceededEventDetails: { output: text(e.output) } });
        break;
      case 'ExecutionFailed':
        add(e.type, e.timestamp, { executionFailedEventDetails: { error: e.Error, cause: text(e.Cause) } });
        break;
      default:
        throw new Error(`unexpected interpreter event ${e.type}`);
    }
  }
  return events;
}

class TaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Runs the generated saga ASL with local handlers; `failing` fails on every attempt with `error`. */
async function runSaga(failing: string, error: string): Promise<HistoryEvent[]> {
  const asl = buildSagaAsl((name) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`);
  const taskResults = new Map<string, unknown[]>();
  const handlers: Record<string, () => Promise<{ done: string }>> = {};
  for (const [state, definition] of Object.entries(asl.States)) {
    if (definition.Type !== 'Task') continue;
    handlers[state] = () => {
      if (state === failing) return Promise.reject(new TaskError(error, `${state} failed`));
      const result = { done: state };
      taskResults.set(state, [...(taskResults.get(state) ?? []), result]);
      return Promise.resolve(result);
    };
  }
  const retryIntervalOverrides = Object.fromEntries(Object.keys(asl.States).map((s) => [s, 0]));
  const run = new StateMachine(asl as never, { validationOptions: { checkArn: true, checkPaths: true } }).run(
    { sagaId: 'tx-42', transaction: tx },
    {
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
      // The interpreter's context object has no `State`; Step Functions provides $$.State.RetryCount.
      context: { State: { RetryCount: 0 } },
    },
  );
  const ended = run.result.then(
    () => null,
    (e: unknown) => e,
  );
  const log: InterpreterEvent[] = [];
  for await (const e of run.eventLogs) log.push(e);
  // A Fail state rejects the result with an ExecutionError (the history carries its error); anything else is a broken run.
  const outcome = await ended;
  if (outcome !== null && !(outcome instanceof ExecutionError))
    throw new Error('the saga run failed outside its Fail states', { cause: outcome });
  return historyFrom(log, taskResults);
}

describe('saga state names', () => {
  it('are the states the generated ASL has, with the types and error the history parser relies on', () => {
    const asl = buildSagaAsl();
    for (const step of stepNames) expect(asl.States[step]?.Type, step).toBe('Task');
    for (const c of compensationNames) expect(asl.States[compensationStateName(c)]?.Type, c).toBe('Task');
    expect(asl.States[COMPENSATED_STATE]).toMatchObject({ Type: 'Fail', Error: SAGA_COMPENSATED_ERROR });
    // Every Task is a step or a compensation to the parser: none is missing from the timeline.
    const tasks = Object.keys(asl.States).filter((name) => asl.States[name]?.Type === 'Task');
    expect(tasks.sort()).toEqual([...stepNames, ...compensationNames.map(compensationStateName)].sort());
  });

  it("tell the compensation chain of the generated ASL (every state reachable from a step's Catch or from compensation mode, but its failure state) from the forward path", () => {
    const asl = buildSagaAsl();
    type AslState = {
      Type: string;
      Next?: string;
      Default?: string;
      Choices?: { Next: string }[];
      Catch?: { Next: string }[];
    };
    const states = asl.States as unknown as Record<string, AslState>;
    const chain = new Set<string>();
    const visit = (name: string) => {
      if (chain.has(name)) return;
      chain.add(name);
      const st = states[name]!;
      for (const next of [
        st.Next,
        st.Default,
        ...(st.Choices ?? []).map((c) => c.Next),
        ...(st.Catch ?? []).map((c) => c.Next),
      ])
        if (next) visit(next);
    };
    for (const step of stepNames) for (const c of states[step]!.Catch ?? []) visit(c.Next);
    for (const c of states[asl.StartAt]!.Choices ?? []) visit(c.Next); // compensation mode (the default branch runs the saga)
    expect(chain.size).toBeGreaterThan(compensationNames.length); // tasks, gates and the end states
    for (const [name, st] of Object.entries(states)) {
      const expected = chain.has(name) && (st.Type !== 'Fail' || name === COMPENSATED_STATE);
      expect(isCompensationState(name), name).toBe(expected);
    }
  });

  it('let the console read an execution of the generated ASL whose SettlePayment fails for good as COMPENSATED: VoidSettlement, ReverseLedger, then ReleaseFunds', async () => {
    const events = await runSaga('SettlePayment', sagaErrors.transient);
    const { records, current } = parseHistory(events);
    expect(current).toBeNull();
    const settleAttempts = sagaDefinition.steps.find((s) => s.name === 'SettlePayment')!.retry.maxAttempts;
    expect(records.map((r) => [r.kind, r.name, r.state, r.attempts])).toEqual([
      ['step', 'ValidatePayment', 'SUCCEEDED', 1],
      ['step', 'ReserveFunds', 'SUCCEEDED', 1],
      ['step', 'PostLedger', 'SUCCEEDED', 1],
      ['step', 'SettlePayment', 'FAILED', settleAttempts],
      ['compensation', 'VoidSettlement', 'SUCCEEDED', 1],
      ['compensation', 'ReverseLedger', 'SUCCEEDED', 1],
      ['compensation', 'ReleaseFunds', 'SUCCEEDED', 1],
    ]);
    expect(records[3]?.error).toBe(`${sagaErrors.transient}: SettlePayment failed`);
    expect(records[0]?.output).toBe('{"done":"ValidatePayment"}');

    // DescribeExecution reports the execution's error as its ExecutionFailed event carries it.
    const failed = events.find((e) => e.type === 'ExecutionFailed');
    expect(failed).toBeDefined();
    sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves(
      describeResponse('FAILED', {
        error: failed?.executionFailedEventDetails?.error,
        cause: failed?.executionFailedEventDetails?.cause,
        stopDate: failed?.timestamp,
      }),
    );
    sfn.on(GetExecutionHistoryCommand, { executionArn: arn }).resolves({ events });
    const { platform } = testPlatform();
    const saga = await platform.getSaga(callerOf('viewer'), 'tx-42');
    expect(saga).toMatchObject({ status: 'COMPENSATED', failedStep: 'SettlePayment' });
    expect(saga?.steps.map((s) => `${s.kind}:${s.name}:${s.state}`)).toEqual([
      'step:ValidatePayment:SUCCEEDED',
      'step:ReserveFunds:SUCCEEDED',
      'step:PostLedger:SUCCEEDED',
      'step:SettlePayment:FAILED',
      'step:Notify:SKIPPED',
      'compensation:VoidSettlement:SUCCEEDED',
      'compensation:ReverseLedger:SUCCEEDED',
      'compensation:ReleaseFunds:SUCCEEDED',
    ]);
  });

  it('derive execution names Step Functions accepts from transaction ids', () => {
    expect(sagaIdFor('tx-42')).toBe('tx-42');
    expect(sagaIdFor('order:2026:17')).toMatch(/^order_2026_17-[0-9a-f]{16}$/);
    // Sanitising must not merge distinct transactions into one saga.
    expect(sagaIdFor('a:b')).not.toBe(sagaIdFor('a_b'));
    expect(sagaIdFor('x'.repeat(100))).not.toBe(sagaIdFor(`${'x'.repeat(99)}y`));
    expect(sagaIdFor('x'.repeat(100)).length).toBe(80);
    expect(compensationExecutionName('a'.repeat(80)).length).toBe(80);
    expect(compensationExecutionName(`${'a'.repeat(79)}b`)).not.toBe(compensationExecutionName('a'.repeat(80)));
    expect(executionArnFor(config.stateMachineArn, 'tx-42')).toBe(
      'arn:aws:states:us-east-1:111122223333:execution:ledgerline-staging-payment-saga:tx-42',
    );
  });
});

describe('history -> timeline', () => {
  it('records attempts, errors, outputs and the compensations in execution order', () => {
    const { records, current } = parseHistory(compensatedHistory);
    expect(current).toBeNull();
    expect(records.map((r) => [r.kind, r.name, r.state, r.attempts])).toEqual([
      ['step', 'ValidatePayment', 'SUCCEEDED', 1],
      ['step', 'ReserveFunds', 'SUCCEEDED', 1],
      ['step', 'PostLedger', 'SUCCEEDED', 1],
      ['step', 'SettlePayment', 'FAILED', 3],
      ['compensation', 'ReverseLedger', 'SUCCEEDED', 1],
      ['compensation', 'ReleaseFunds', 'SUCCEEDED', 1],
    ]);
    expect(records[3]?.error).toBe('TransientError: settlement network timeout');
    expect(records[0]?.output).toBe('{"step":"ValidatePayment"}');
  });
});

describe('sagas', () => {
  it('gets a compensated saga with every step and compensation', async () => {
    sfn
      .on(DescribeExecutionCommand, { executionArn: arn })
      .resolves(describeResponse('FAILED', { error: 'SagaCompensated', stopDate: new Date(NOW - 900) }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: compensatedHistory });
    const { platform } = testPlatform();
    const saga = await platform.getSaga(callerOf('viewer'), 'tx-42');
    expect(sagaDetailSchema.parse(saga)).toMatchObject({
      id: 'tx-42',
      transactionId: 'tx-42',
      status: 'COMPENSATED',
      failedStep: 'SettlePayment',
      amount: 2500,
      currency: 'EUR',
      endedAt: new Date(NOW - 900).toISOString(),
    });
    expect(saga?.steps.map((s) => `${s.name}:${s.state}`)).toEqual([
      'ValidatePayment:SUCCEEDED',
      'ReserveFunds:SUCCEEDED',
      'PostLedger:SUCCEEDED',
      'SettlePayment:FAILED',
      'Notify:SKIPPED',
      'ReverseLedger:SUCCEEDED',
      'ReleaseFunds:SUCCEEDED',
    ]);
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[0]!.args[0].input).toMatchObject({
      executionArn: arn,
      maxResults: 1000,
      includeExecutionData: true,
    });
  });

  it('returns null for an unknown saga', async () => {
    sfn.on(DescribeExecutionCommand).rejects(notFound);
    const { platform } = testPlatform();
    expect(await platform.getSaga(callerOf('viewer'), 'nope')).toBeNull();
  });

  it('lists with the Step Functions status filter and a cursor of page size and nextToken, listing a saga with a compensation run once', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: arn,
          stateMachineArn: config.stateMachineArn,
          name: 'tx-42',
          status: 'FAILED',
          startDate: new Date(NOW - 60_000),
          stopDate: new Date(NOW - 900),
        },
        {
          executionArn: compArn,
          stateMachineArn: config.stateMachineArn,
          name: compensationExecutionName('tx-41'),
          status: 'FAILED',
          startDate: new Date(NOW - 70_000),
        },
      ],
      nextToken: 'tok-2',
    });
    sfn
      .on(DescribeExecutionCommand, { executionArn: arn })
      .resolves(
        describeResponse('FAILED', { error: 'SagaCompensated', cause: 'compensated', stopDate: new Date(NOW - 900) }),
      );
    // tx-41's compensation run: tx-41's own execution is FAILED too, so it is listed at its own place.
    const run41 = executionArnFor(config.stateMachineArn, compensationExecutionName('tx-41'));
    sfn.on(DescribeExecutionCommand, { executionArn: run41 }).resolves({
      executionArn: run41,
      status: 'FAILED',
      input: JSON.stringify({ mode: 'compensate', sagaId: 'tx-41' }),
    } as never);
    sfn
      .on(DescribeExecutionCommand, { executionArn: executionArnFor(config.stateMachineArn, 'tx-41') })
      .resolves(describeResponse('FAILED', { name: 'tx-41' }));
    const { platform } = testPlatform();
    const page = await platform.listSagas(callerOf('viewer'), {
      status: 'COMPENSATED',
      limit: 1,
      cursor: 'desc:1:tok-1',
    });
    expect(sfn.commandCalls(ListExecutionsCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: config.stateMachineArn,
      statusFilter: 'FAILED',
      maxResults: 1,
      nextToken: 'tok-1',
    });
    expect(page.nextCursor).toBe('desc:1:tok-2');
    expect(page.items.map((s) => sagaSummarySchema.parse(s))).toEqual([
      {
        id: 'tx-42',
        transactionId: 'tx-42',
        region: 'us-east-1',
        status: 'COMPENSATED',
        startedAt: new Date(NOW - 60_000).toISOString(),
        endedAt: new Date(NOW - 900).toISOString(),
        failedStep: null,
        error: 'SagaCompensated: compensated',
        amount: 2500,
        currency: 'EUR',
      },
    ]);
  });

  it('stops paging at the first execution older than `from`', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: arn,
          stateMachineArn: config.stateMachineArn,
          name: 'tx-old',
          status: 'SUCCEEDED',
          startDate: new Date(NOW - 10 * 86_400_000),
        },
      ],
      nextToken: 'more',
    });
    const { platform } = testPlatform();
    const page = await platform.listSagas(callerOf('viewer'), { from: new Date(NOW - 86_400_000).toISOString() });
    expect(page).toEqual({ items: [], nextCursor: null });
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(1);
  });

  it('windows by start time as [from, to), as the embedded platform does: an execution started at `to` is outside', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [1, 2, 3].map(succeededExecution) });
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      if (input.executionArn.endsWith('--compensate')) throw notFound;
      const name = input.executionArn.split(':').pop() ?? '';
      return describeResponse('SUCCEEDED', {
        executionArn: input.executionArn,
        name,
        startDate: new Date(NOW - Number(name.slice(3)) * 1000),
      });
    });
    const { platform } = testPlatform();
    const window = { from: new Date(NOW - 3000).toISOString(), to: new Date(NOW - 1000).toISOString() };
    for (const sort of ['startedAt:desc', 'startedAt:asc'] as const) {
      const ids = (await platform.listSagas(callerOf('viewer'), { ...window, sort })).items.map((s) => s.id);
      expect(ids.sort()).toEqual(['tx-2', 'tx-3']);
    }
    const at = (transactionId: string) => platform.listSagas(callerOf('viewer'), { ...window, transactionId });
    expect((await at('tx-3')).items.map((s) => s.id)).toEqual(['tx-3']);
    expect((await at('tx-1')).items).toEqual([]);
  });

  it('pages oldest first over the listed range with an offset cursor', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [1, 2, 3].map(succeededExecution), nextToken: 'p2' });
    sfn.on(ListExecutionsCommand, { nextToken: 'p2' }).resolves({ executions: [4, 5].map(succeededExecution) });
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      if (input.executionArn.endsWith('--compensate')) throw notFound;
      return describeResponse('SUCCEEDED', { executionArn: input.executionArn });
    });
    const { platform } = testPlatform();
    const first = await platform.listSagas(callerOf('viewer'), { sort: 'startedAt:asc', limit: 2 });
    expect(first.items.map((s) => s.id)).toEqual(['tx-5', 'tx-4']);
    expect(first.nextCursor).toBe('asc:2');
    const last = await platform.listSagas(callerOf('viewer'), { sort: 'startedAt:asc', limit: 2, cursor: 'asc:4' });
    expect(last).toMatchObject({ nextCursor: null });
    expect(last.items.map((s) => s.id)).toEqual(['tx-1']);
    await expect(
      platform.listSagas(callerOf('viewer'), { sort: 'startedAt:asc', cursor: 'tok' }),
    ).rejects.toMatchObject({ code: 'Invalid', field: 'cursor' });
  });

  it('lists a running execution as COMPENSATING while it is between two compensations, and RUNNING on a step', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: arn,
          stateMachineArn: config.stateMachineArn,
          name: 'tx-42',
          status: 'RUNNING',
          startDate: new Date(NOW - 60_000),
        },
      ],
    });
    sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves(describeResponse('RUNNING'));
    const newest = (name: string) =>
      sfn.on(GetExecutionHistoryCommand, { executionArn: arn }).resolves({
        events: [
          { id: 9, type: 'ChoiceStateEntered', timestamp: new Date(NOW - 1000), stateEnteredEventDetails: { name } },
        ],
      });
    const { platform } = testPlatform();
    newest('IfReserveFundsCompleted');
    expect((await platform.listSagas(callerOf('viewer'), {})).items[0]).toMatchObject({ status: 'COMPENSATING' });
    newest('SettlePayment');
    expect((await platform.listSagas(callerOf('viewer'), {})).items[0]).toMatchObject({ status: 'RUNNING' });
  });

  it('enriches summaries from the saga state table when configured', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: arn,
          stateMachineArn: config.stateMachineArn,
          name: 'tx-42',
          status: 'RUNNING',
          startDate: new Date(NOW - 60_000),
        },
      ],
    });
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        'ledgerline-staging-saga-state': [
          {
            sagaId: 'tx-42',
            sk: 'SUMMARY',
            transactionId: 'tx-42',
            status: 'COMPENSATING',
            amount: 2500,
            currency: 'EUR',
            failedStep: 'SettlePayment',
            error: 'TransientError',
          },
        ],
      },
    });
    const { platform } = testPlatform(testConfig({ sagaTable: 'ledgerline-staging-saga-state' }));
    const page = await platform.listSagas(callerOf('viewer'), {});
    expect(page.items[0]).toMatchObject({ status: 'COMPENSATING', failedStep: 'SettlePayment' });
    expect(ddb.commandCalls(BatchGetCommand)[0]!.args[0].input.RequestItems).toEqual({
      'ledgerline-staging-saga-state': { Keys: [{ sagaId: 'tx-42', sk: 'SUMMARY' }] },
    });
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  describe('an operator compensation listed under the status it gives the saga', () => {
    /** tx-42 SUCCEEDED, then refunded by an operator: its `--compensate` run decides its status. */
    function refunded(run: { status: 'RUNNING' | 'FAILED'; error?: string }) {
      const executions = [
        {
          executionArn: compArn,
          stateMachineArn: config.stateMachineArn,
          name: compensationExecutionName('tx-42'),
          status: run.status,
          startDate: new Date(NOW - 30_000),
          ...(run.status === 'RUNNING' ? {} : { stopDate: new Date(NOW - 10_000) }),
        },
        {
          executionArn: executionArnFor(config.stateMachineArn, 'tx-43'),
          stateMachineArn: config.stateMachineArn,
          name: 'tx-43',
          status: 'FAILED' as const,
          startDate: new Date(NOW - 40_000),
          stopDate: new Date(NOW - 39_000),
        },
        {
          executionArn: arn,
          stateMachineArn: config.stateMachineArn,
          name: 'tx-42',
          status: 'SUCCEEDED' as const,
          startDate: new Date(NOW - 60_000),
          stopDate: new Date(NOW - 59_000),
        },
      ];
      // Step Functions honours the status filter.
      sfn.on(ListExecutionsCommand).callsFake((i: { statusFilter?: string }) => ({
        executions: executions.filter((e) => !i.statusFilter || e.status === i.statusFilter),
      }));
      sfn
        .on(DescribeExecutionCommand, { executionArn: arn })
        .resolves(describeResponse('SUCCEEDED', { stopDate: new Date(NOW - 59_000) }));
      sfn.on(DescribeExecutionCommand, { executionArn: compArn }).resolves({
        executionArn: compArn,
        stateMachineArn: config.stateMachineArn,
        name: compensationExecutionName('tx-42'),
        status: run.status,
        error: run.error,
        startDate: new Date(NOW - 30_000),
        input: JSON.stringify({ mode: 'compensate', sagaId: 'tx-42', transactionId: 'tx-42', transaction: tx }),
      });
      sfn
        .on(DescribeExecutionCommand, { executionArn: executionArnFor(config.stateMachineArn, 'tx-43') })
        .resolves(describeResponse('FAILED', { name: 'tx-43', error: 'SagaCompensationFailed' }));
    }

    it('lists a refunded saga under COMPENSATING while its compensation execution runs, newest first and oldest first', async () => {
      refunded({ status: 'RUNNING' });
      const { platform } = testPlatform();
      const viewer = callerOf('viewer');
      const all = await platform.listSagas(viewer, { limit: 20 });
      expect(all.items.map((x) => `${x.id}=${x.status}`)).toEqual(['tx-43=FAILED', 'tx-42=COMPENSATING']);
      for (const sort of ['startedAt:desc', 'startedAt:asc'] as const) {
        const page = await platform.listSagas(viewer, { status: 'COMPENSATING', sort, limit: 20 });
        expect(page.items.map((x) => sagaSummarySchema.parse(x))).toEqual([
          expect.objectContaining({
            id: 'tx-42',
            status: 'COMPENSATING',
            startedAt: new Date(NOW - 60_000).toISOString(),
          }),
        ]);
      }
    });

    it('lists a refunded saga under COMPENSATED once its compensation execution ended in Compensated', async () => {
      refunded({ status: 'FAILED', error: SAGA_COMPENSATED_ERROR });
      const { platform } = testPlatform();
      const viewer = callerOf('viewer');
      const page = await platform.listSagas(viewer, { status: 'COMPENSATED', limit: 20 });
      expect(page.items.map((x) => `${x.id}=${x.status}`)).toEqual(['tx-42=COMPENSATED']);
      expect(sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input.statusFilter)).toEqual(['FAILED']);
      // Outside the window of the saga's own start: not listed, although its compensation started inside it.
      const later = await platform.listSagas(viewer, {
        status: 'COMPENSATED',
        from: new Date(NOW - 50_000).toISOString(),
        limit: 20,
      });
      expect(later.items).toEqual([]);
    });

    it('lists a refunded saga whose compensation failed for good under FAILED, once, in the place of its compensation execution', async () => {
      refunded({ status: 'FAILED', error: 'SagaCompensationFailed' });
      const { platform } = testPlatform();
      const page = await platform.listSagas(callerOf('viewer'), { status: 'FAILED', limit: 20 });
      expect(page.items.map((x) => `${x.id}=${x.status}`)).toEqual(['tx-42=FAILED', 'tx-43=FAILED']);
    });
  });

  it('keeps the page size of the first ListExecutions call along the cursor chain, and refuses the cursor with another limit', async () => {
    const execution = (n: number, status: 'SUCCEEDED' | 'FAILED') => ({
      executionArn: executionArnFor(config.stateMachineArn, `tx-${n}`),
      stateMachineArn: config.stateMachineArn,
      name: `tx-${n}`,
      status,
      startDate: new Date(NOW - n * 1000),
      stopDate: new Date(NOW - n * 1000 + 500),
    });
    sfn.on(ListExecutionsCommand).callsFake((i: { nextToken?: string }) =>
      i.nextToken === 'tok-2'
        ? { executions: [execution(4, 'FAILED'), execution(5, 'FAILED'), execution(6, 'FAILED')] }
        : {
            executions: [execution(1, 'FAILED'), execution(2, 'SUCCEEDED'), execution(3, 'FAILED')],
            nextToken: 'tok-2',
          },
    );
    sfn.on(DescribeExecutionCommand).callsFake((i: { executionArn: string }) => {
      const name = i.executionArn.split(':').pop() ?? '';
      if (name.endsWith('--compensate')) throw notFound;
      const n = Number(name.slice(3));
      return describeResponse(n === 2 ? 'SUCCEEDED' : 'FAILED', { name, error: 'SagaCompensationFailed' });
    });
    const { platform } = testPlatform();
    const viewer = callerOf('viewer');
    // 1 of the first page's 3 executions is SUCCEEDED: the page ends there rather than read on with a smaller maxResults.
    const first = await platform.listSagas(viewer, { status: 'SUCCEEDED', limit: 3 });
    expect(first.items.map((x) => x.id)).toEqual(['tx-2']);
    expect(first.nextCursor).toBe('desc:3:tok-2');
    const second = await platform.listSagas(viewer, { status: 'SUCCEEDED', limit: 3, cursor: first.nextCursor! });
    expect(second).toEqual({ items: [], nextCursor: null });
    expect(sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: config.stateMachineArn, statusFilter: 'SUCCEEDED', maxResults: 3, nextToken: undefined },
      { stateMachineArn: config.stateMachineArn, statusFilter: 'SUCCEEDED', maxResults: 3, nextToken: 'tok-2' },
    ]);
    await expect(
      platform.listSagas(viewer, { status: 'SUCCEEDED', limit: 5, cursor: first.nextCursor! }),
    ).rejects.toMatchObject({ code: 'Invalid', field: 'cursor' });
    await expect(platform.listSagas(viewer, { limit: 3, cursor: 'tok-2' })).rejects.toMatchObject({
      code: 'Invalid',
      field: 'cursor',
    });
  });
});

describe('compensation', () => {
  const failedHistory = [
    ...historyOf(
      ['ValidatePayment', 'ok'],
      ['ReserveFunds', 'ok'],
      ['PostLedger', 'ok'],
      ['SettlePayment', 'fail-fail-fail'],
      // The failed step's own compensation runs first (infra/saga/definition.ts compensationsFor).
      ['CompensateVoidSettlement', 'ok'],
      ['CompensateReverseLedger', 'fail-fail-fail'],
    ),
    {
      id: 900,
      type: 'FailStateEntered',
      timestamp: new Date(NOW - 1000),
      stateEnteredEventDetails: { name: 'CompensationFailed' },
    },
    {
      id: 901,
      type: 'ExecutionFailed',
      timestamp: new Date(NOW - 900),
      executionFailedEventDetails: { error: 'SagaCompensationFailed' },
    },
  ] as HistoryEvent[];

  beforeEach(() => {
    sfn
      .on(DescribeExecutionCommand, { executionArn: arn })
      .resolves(
        describeResponse('FAILED', { error: 'SagaCompensationFailed', stopDate: new Date(NOW - 900), redriveCount: 0 }),
      );
    sfn.on(GetExecutionHistoryCommand).resolves({ events: failedHistory });
  });

  it('previews the compensations of the completed steps, newest first, with accounts and amounts', async () => {
    const { platform } = testPlatform();
    const preview = await platform.previewCompensation(operator, { sagaId: 'tx-42', mode: 'compensate' });
    expect(compensationPreviewSchema.parse(preview).actions.map((a) => [a.compensation, a.account, a.amount])).toEqual([
      ['ReverseLedger', 'acc-a', 2500],
      ['ReleaseFunds', 'acc-a', 2500],
    ]);
    const resume = await platform.previewCompensation(operator, { sagaId: 'tx-42', mode: 'resume' });
    expect(resume.actions.map((a) => a.compensation)).toEqual(['ReverseLedger', 'ReleaseFunds']);
  });

  it('compensates the step that failed as well as the completed ones: a SettlePayment whose void failed for good is voided by the operator compensation', async () => {
    // SettlePayment failed (its request may have reached the network), then VoidSettlement failed for good.
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        ...historyOf(
          ['ValidatePayment', 'ok'],
          ['ReserveFunds', 'ok'],
          ['PostLedger', 'ok'],
          ['SettlePayment', 'fail-fail-fail'],
          ['CompensateVoidSettlement', 'fail-fail-fail'],
        ),
        ...failedHistory.slice(-2),
      ],
    });
    sfn.on(StartExecutionCommand).resolves({ executionArn: compArn, startDate: new Date(NOW) });
    const { platform } = testPlatform();
    const preview = await platform.previewCompensation(operator, { sagaId: 'tx-42', mode: 'compensate' });
    expect(preview.actions.map((a) => a.compensation)).toEqual(['VoidSettlement', 'ReverseLedger', 'ReleaseFunds']);
    await platform.compensate(operator, { sagaId: 'tx-42', mode: 'compensate', reason: 'network outage over' });
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input ?? '{}') as {
      results: Record<string, unknown>;
    };
    // The ASL's gate IfSettlePaymentCompleted runs VoidSettlement only when $.results.SettlePayment is present.
    expect(input.results.SettlePayment).toMatchObject({ ran: true, state: 'FAILED' });
    expect(Object.keys(input.results).sort()).toEqual([
      'PostLedger',
      'ReserveFunds',
      'SettlePayment',
      'ValidatePayment',
    ]);
  });

  it('compensates by starting the state machine in compensation mode under a name derived from the saga id', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: compArn, startDate: new Date(NOW) });
    const { platform } = testPlatform();
    await platform.compensate(operator, { sagaId: 'tx-42', mode: 'compensate', reason: 'settlement outage' });
    const input = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(input.stateMachineArn).toBe(config.stateMachineArn);
    expect(input.name).toBe('tx-42--compensate');
    expect(JSON.parse(input.input ?? '')).toMatchObject({
      mode: 'compensate',
      sagaId: 'tx-42',
      transactionId: 'tx-42',
      transaction: tx,
      reason: 'settlement outage',
      requestedBy: 'op-1',
      results: { ValidatePayment: { step: 'ValidatePayment' } },
    });
  });

  it('maps a second compensation start to Conflict', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists', $metadata: {} }));
    const { platform } = testPlatform();
    await expect(
      platform.compensate(operator, { sagaId: 'tx-42', mode: 'compensate', reason: 'again' }),
    ).rejects.toMatchObject({ code: 'Conflict' });
  });

  it('resumes with RedriveExecution within 14 days, with a client token so a retry cannot redrive twice', async () => {
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date(NOW) });
    const { platform } = testPlatform();
    await platform.compensate(operator, { sagaId: 'tx-42', mode: 'resume', reason: 'downstream is back' });
    await platform.compensate(operator, { sagaId: 'tx-42', mode: 'resume', reason: 'downstream is back' });
    const calls = sfn.commandCalls(RedriveExecutionCommand).map((c) => c.args[0].input);
    expect(calls[0]?.executionArn).toBe(arn);
    expect(calls[0]?.clientToken).toMatch(/^[0-9a-f]{64}$/);
    expect(calls[1]?.clientToken).toBe(calls[0]?.clientToken);
  });

  it('refuses to resume a saga that stopped more than 14 days ago, and anything that is still running', async () => {
    sfn
      .on(DescribeExecutionCommand, { executionArn: arn })
      .resolves(
        describeResponse('FAILED', { error: 'SagaCompensationFailed', stopDate: new Date(NOW - 15 * 86_400_000) }),
      );
    const { platform } = testPlatform();
    await expect(
      platform.compensate(operator, { sagaId: 'tx-42', mode: 'resume', reason: 'too late' }),
    ).rejects.toMatchObject({ code: 'Conflict', message: expect.stringContaining('14 days') as unknown });
    sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves(describeResponse('RUNNING'));
    await expect(
      platform.compensate(operator, { sagaId: 'tx-42', mode: 'compensate', reason: 'still running' }),
    ).rejects.toMatchObject({ code: 'Conflict' });
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('compensates a SUCCEEDED saga (a refund): all three compensations, newest first, then it reads COMPENSATING', async () => {
    const succeeded = [
      ...historyOf(
        ['ValidatePayment', 'ok'],
        ['ReserveFunds', 'ok'],
        ['PostLedger', 'ok'],
        ['SettlePayment', 'ok'],
        ['Notify', 'ok'],
      ),
      { id: 950, type: 'ExecutionSucceeded', timestamp: new Date(NOW - 500) },
    ] as HistoryEvent[];
    sfn
      .on(DescribeExecutionCommand, { executionArn: arn })
      .resolves(describeResponse('SUCCEEDED', { stopDate: new Date(NOW - 500) }));
    sfn.on(GetExecutionHistoryCommand, { executionArn: arn }).resolves({ events: succeeded });
    const { platform } = testPlatform();
    const preview = await platform.previewCompensation(operator, { sagaId: 'tx-42', mode: 'compensate' });
    expect(preview.actions.map((a) => a.compensation)).toEqual(['VoidSettlement', 'ReverseLedger', 'ReleaseFunds']);
    await expect(platform.previewCompensation(operator, { sagaId: 'tx-42', mode: 'resume' })).rejects.toMatchObject({
      code: 'Conflict',
    });
    sfn.on(StartExecutionCommand).callsFake(() => {
      sfn.on(DescribeExecutionCommand, { executionArn: compArn }).resolves({
        executionArn: compArn,
        stateMachineArn: config.stateMachineArn,
        name: 'tx-42--compensate',
        status: 'RUNNING',
        startDate: new Date(NOW),
      } as never);
      sfn
        .on(GetExecutionHistoryCommand, { executionArn: compArn })
        .resolves({ events: historyOf(['CompensateVoidSettlement', 'running']) });
      return { executionArn: compArn, startDate: new Date(NOW) };
    });
    const started = await platform.compensate(operator, {
      sagaId: 'tx-42',
      mode: 'compensate',
      reason: 'customer refund',
    });
    expect(started.status).toBe('COMPENSATING');
    expect(started.steps.filter((x) => x.kind === 'compensation').map((x) => `${x.name}:${x.state}`)).toEqual([
      'VoidSettlement:RUNNING',
    ]);
    await expect(
      platform.compensate(operator, { sagaId: 'tx-42', mode: 'compensate', reason: 'again' }),
    ).rejects.toMatchObject({ code: 'Conflict' });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('answers with the saga as COMPENSATING when StartExecution succeeded but the read after it is throttled', async () => {
    let started = false;
    sfn.on(StartExecutionCommand).callsFake(() => {
      started = true;
      return { executionArn: compArn, startDate: new Date(NOW) };
    });
    const failedRead = sfn.commandCalls(GetExecutionHistoryCommand).length;
    sfn.on(GetExecutionHistoryCommand).callsFake(() => {
      if (started) throw throttled();
      return { events: failedHistory };
    });
    const { platform } = testPlatform();
    const detail = await platform.compensate(operator, { sagaId: 'tx-42', mode: 'compensate', reason: 'outage' });
    expect(sagaDetailSchema.parse(detail)).toMatchObject({ id: 'tx-42', status: 'COMPENSATING', endedAt: null });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(sfn.commandCalls(GetExecutionHistoryCommand).length).toBeGreaterThan(failedRead + 1);
  });

  it('answers with the saga as COMPENSATING when RedriveExecution of a failed compensation succeeded but the read after it is throttled', async () => {
    let redriven = false;
    sfn.on(RedriveExecutionCommand).callsFake(() => {
      redriven = true;
      return { redriveDate: new Date(NOW) };
    });
    sfn.on(GetExecutionHistoryCommand).callsFake(() => {
      if (redriven) throw throttled();
      return { events: failedHistory };
    });
    const { platform } = testPlatform();
    const detail = await platform.compensate(operator, { sagaId: 'tx-42', mode: 'resume', reason: 'back' });
    expect(detail).toMatchObject({ id: 'tx-42', status: 'COMPENSATING', endedAt: null });
  });

  it('takes ExecutionAlreadyExists for the same input as the earlier start of the same request, and for another input as Conflict', async () => {
    const alreadyExists = () =>
      Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists', $metadata: {} });
    let existingInput = '';
    sfn.on(StartExecutionCommand).callsFake((i: { input?: string }) => {
      // A double submission raced past the first one's check: its execution exists, already stopped.
      existingInput ||= i.input ?? '';
      sfn.on(DescribeExecutionCommand, { executionArn: compArn }).resolves({
        executionArn: compArn,
        stateMachineArn: config.stateMachineArn,
        name: 'tx-42--compensate',
        status: 'FAILED',
        error: SAGA_COMPENSATED_ERROR,
        startDate: new Date(NOW - 5000),
        stopDate: new Date(NOW - 1000),
        input: existingInput,
      } as never);
      throw alreadyExists();
    });
    const { platform } = testPlatform();
    const same = await platform.compensate(operator, { sagaId: 'tx-42', mode: 'compensate', reason: 'outage' });
    expect(same).toMatchObject({ id: 'tx-42', status: 'COMPENSATED' });
    sfn.on(DescribeExecutionCommand, { executionArn: compArn }).rejects(notFound);
    await expect(
      platform.compensate(operator, { sagaId: 'tx-42', mode: 'compensate', reason: 'another reason' }),
    ).rejects.toMatchObject({ code: 'Conflict', message: expect.stringContaining('another request') as unknown });
  });

  it('is refused to viewers and approvers before any AWS call', async () => {
    const { platform } = testPlatform();
    sfn.resetHistory();
    await expect(
      platform.compensate(callerOf('viewer'), { sagaId: 'tx-42', mode: 'compensate', reason: 'nope' }),
    ).rejects.toMatchObject({ code: 'Forbidden' });
    await expect(
      platform.previewCompensation(callerOf('approver'), { sagaId: 'tx-42', mode: 'compensate' }),
    ).rejects.toMatchObject({ code: 'Forbidden' });
    expect(sfn.calls()).toHaveLength(0);
  });
});
