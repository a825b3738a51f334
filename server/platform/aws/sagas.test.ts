import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildSagaAsl, COMPENSATED_STATE, compensationStateName, SAGA_COMPENSATED_ERROR as ASL_COMPENSATED_ERROR } from '../../../infra/lib/constructs/saga-asl';
import { compensationNames } from '../../../infra/saga/definition';
import { compensationPreviewSchema, sagaDetailSchema, sagaSummarySchema } from '../platform.schema';
import { compensationExecutionName, sagaIdFor } from './layout';
import { COMPENSATION_STATE_PREFIX, executionArnFor, parseHistory, SAGA_COMPENSATED_ERROR } from './sagas';
import { callerOf, NOW, testConfig, testPlatform } from './testing';

const sfn = mockClient(SFNClient);
const ddb = mockClient(DynamoDBDocumentClient);
mockClient(DynamoDBClient);
const config = testConfig();
const operator = callerOf('operator', 'op-1');
const tx = { transactionId: 'tx-42', fromAccount: 'acc-a', toAccount: 'acc-b', amount: 2500, currency: 'EUR', createdAt: '2026-11-26T11:00:00Z' };
const arn = executionArnFor(config.stateMachineArn, 'tx-42');
const compArn = executionArnFor(config.stateMachineArn, compensationExecutionName('tx-42'));

/** A history builder in the shape Step Functions returns (Lambda task states). */
function historyOf(...parts: [string, 'ok' | 'fail' | 'fail-fail-fail' | 'running'][]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  let id = 0;
  let t = NOW - 60_000;
  const add = (type: string, extra: Partial<HistoryEvent> = {}) => events.push({ id: ++id, type: type as HistoryEvent['type'], timestamp: new Date((t += 100)), ...extra });
  add('ExecutionStarted');
  for (const [state, outcome] of parts) {
    add('TaskStateEntered', { stateEnteredEventDetails: { name: state, input: JSON.stringify({ sagaId: 'tx-42', transaction: tx }) } });
    const attempts = outcome === 'fail-fail-fail' ? 3 : 1;
    for (let a = 0; a < attempts; a++) {
      add('LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: { resource: 'arn:fn' } });
      add('LambdaFunctionStarted');
      if (outcome === 'ok') add('LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: { output: JSON.stringify({ step: state }) } });
      if (outcome.startsWith('fail')) add('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error: 'TransientError', cause: 'settlement network timeout' } });
    }
    if (outcome === 'ok') add('TaskStateExited', { stateExitedEventDetails: { name: state, output: '{}' } });
  }
  return events;
}

const compensatedHistory = [
  ...historyOf(['ValidatePayment', 'ok'], ['ReserveFunds', 'ok'], ['PostLedger', 'ok'], ['SettlePayment', 'fail-fail-fail'], ['CompensateReverseLedger', 'ok'], ['CompensateReleaseFunds', 'ok']),
  { id: 900, type: 'FailStateEntered', timestamp: new Date(NOW - 1000), stateEnteredEventDetails: { name: 'Compensated' } },
  { id: 901, type: 'ExecutionFailed', timestamp: new Date(NOW - 900), executionFailedEventDetails: { error: 'SagaCompensated', cause: 'compensated' } },
] as HistoryEvent[];

function describeResponse(status: string, extra: Record<string, unknown> = {}) {
  return { executionArn: arn, stateMachineArn: config.stateMachineArn, name: 'tx-42', status, startDate: new Date(NOW - 60_000), input: JSON.stringify({ sagaId: 'tx-42', transaction: tx }), ...extra } as never;
}

const notFound = Object.assign(new Error('Execution Does Not Exist'), { name: 'ExecutionDoesNotExist', $metadata: {} });

beforeEach(() => {
  sfn.reset();
  ddb.reset();
  sfn.on(DescribeExecutionCommand, { executionArn: compArn }).rejects(notFound);
});

describe('saga state names', () => {
  it('match the states the CDK builds from the saga definition', () => {
    const asl = buildSagaAsl();
    for (const c of compensationNames) {
      expect(compensationStateName(c)).toBe(`${COMPENSATION_STATE_PREFIX}${c}`);
      expect(asl.States[compensationStateName(c)]).toBeDefined();
    }
    expect(ASL_COMPENSATED_ERROR).toBe(SAGA_COMPENSATED_ERROR);
    expect(asl.States[COMPENSATED_STATE]).toMatchObject({ Error: SAGA_COMPENSATED_ERROR });
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
    expect(executionArnFor(config.stateMachineArn, 'tx-42')).toBe('arn:aws:states:us-east-1:111122223333:execution:ledgerline-staging-payment-saga:tx-42');
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
    sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves(describeResponse('FAILED', { error: 'SagaCompensated', stopDate: new Date(NOW - 900) }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: compensatedHistory });
    const { platform } = testPlatform();
    const saga = await platform.getSaga(callerOf('viewer'), 'tx-42');
    expect(sagaDetailSchema.parse(saga)).toMatchObject({ id: 'tx-42', transactionId: 'tx-42', status: 'COMPENSATED', failedStep: 'SettlePayment', amount: 2500, currency: 'EUR', endedAt: new Date(NOW - 900).toISOString() });
    expect(saga?.steps.map((s) => `${s.name}:${s.state}`)).toEqual([
      'ValidatePayment:SUCCEEDED',
      'ReserveFunds:SUCCEEDED',
      'PostLedger:SUCCEEDED',
      'SettlePayment:FAILED',
      'Notify:SKIPPED',
      'ReverseLedger:SUCCEEDED',
      'ReleaseFunds:SUCCEEDED',
    ]);
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[0]!.args[0].input).toMatchObject({ executionArn: arn, maxResults: 1000, includeExecutionData: true });
  });

  it('returns null for an unknown saga', async () => {
    sfn.on(DescribeExecutionCommand).rejects(notFound);
    const { platform } = testPlatform();
    expect(await platform.getSaga(callerOf('viewer'), 'nope')).toBeNull();
  });

  it('lists with the Step Functions status filter and nextToken as cursor, skipping compensation runs', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        { executionArn: arn, stateMachineArn: config.stateMachineArn, name: 'tx-42', status: 'FAILED', startDate: new Date(NOW - 60_000), stopDate: new Date(NOW - 900) },
        { executionArn: compArn, stateMachineArn: config.stateMachineArn, name: compensationExecutionName('tx-41'), status: 'FAILED', startDate: new Date(NOW - 70_000) },
      ],
      nextToken: 'tok-2',
    });
    sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves(describeResponse('FAILED', { error: 'SagaCompensated', cause: 'compensated', stopDate: new Date(NOW - 900) }));
    const { platform } = testPlatform();
    const page = await platform.listSagas(callerOf('viewer'), { status: 'COMPENSATED', limit: 1, cursor: 'tok-1' });
    expect(sfn.commandCalls(ListExecutionsCommand)[0]!.args[0].input).toEqual({ stateMachineArn: config.stateMachineArn, statusFilter: 'FAILED', maxResults: 1, nextToken: 'tok-1' });
    expect(page.nextCursor).toBe('tok-2');
    expect(page.items.map((s) => sagaSummarySchema.parse(s))).toEqual([
      { id: 'tx-42', transactionId: 'tx-42', region: 'us-east-1', status: 'COMPENSATED', startedAt: new Date(NOW - 60_000).toISOString(), endedAt: new Date(NOW - 900).toISOString(), failedStep: null, error: 'SagaCompensated: compensated', amount: 2500, currency: 'EUR' },
    ]);
  });

  it('stops paging at the first execution older than `from`', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [{ executionArn: arn, stateMachineArn: config.stateMachineArn, name: 'tx-old', status: 'SUCCEEDED', startDate: new Date(NOW - 10 * 86_400_000) }],
      nextToken: 'more',
    });
    const { platform } = testPlatform();
    const page = await platform.listSagas(callerOf('viewer'), { from: new Date(NOW - 86_400_000).toISOString() });
    expect(page).toEqual({ items: [], nextCursor: null });
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(1);
  });

  it('pages oldest first over the listed range with an offset cursor', async () => {
    const execution = (n: number) => ({ executionArn: executionArnFor(config.stateMachineArn, `tx-${n}`), stateMachineArn: config.stateMachineArn, name: `tx-${n}`, status: 'SUCCEEDED' as const, startDate: new Date(NOW - n * 1000), stopDate: new Date(NOW - n * 1000 + 500) });
    sfn.on(ListExecutionsCommand).resolves({ executions: [1, 2, 3].map(execution), nextToken: 'p2' });
    sfn.on(ListExecutionsCommand, { nextToken: 'p2' }).resolves({ executions: [4, 5].map(execution) });
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
    await expect(platform.listSagas(callerOf('viewer'), { sort: 'startedAt:asc', cursor: 'tok' })).rejects.toMatchObject({ code: 'Invalid', field: 'cursor' });
  });

  it('enriches summaries from the saga state table when configured', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: arn, stateMachineArn: config.stateMachineArn, name: 'tx-42', status: 'RUNNING', startDate: new Date(NOW - 60_000) }] });
    ddb.on(BatchGetCommand).resolves({ Responses: { 'saga-state': [{ sagaId: 'tx-42', sk: 'SUMMARY', transactionId: 'tx-42', status: 'COMPENSATING', amount: 2500, currency: 'EUR', failedStep: 'SettlePayment', error: 'TransientError' }] } });
    const { platform } = testPlatform(testConfig({ sagaTable: 'saga-state' }));
    const page = await platform.listSagas(callerOf('viewer'), {});
    expect(page.items[0]).toMatchObject({ status: 'COMPENSATING', failedStep: 'SettlePayment' });
    expect(ddb.commandCalls(BatchGetCommand)[0]!.args[0].input.RequestItems).toEqual({ 'saga-state': { Keys: [{ sagaId: 'tx-42', sk: 'SUMMARY' }] } });
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });
});

describe('compensation', () => {
  const failedHistory = [
    ...historyOf(['ValidatePayment', 'ok'], ['ReserveFunds', 'ok'], ['PostLedger', 'ok'], ['SettlePayment', 'fail-fail-fail'], ['CompensateReverseLedger', 'fail-fail-fail']),
    { id: 900, type: 'FailStateEntered', timestamp: new Date(NOW - 1000), stateEnteredEventDetails: { name: 'CompensationFailed' } },
    { id: 901, type: 'ExecutionFailed', timestamp: new Date(NOW - 900), executionFailedEventDetails: { error: 'SagaCompensationFailed' } },
  ] as HistoryEvent[];

  beforeEach(() => {
    sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves(describeResponse('FAILED', { error: 'SagaCompensationFailed', stopDate: new Date(NOW - 900), redriveCount: 0 }));
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

  it('compensates by starting the state machine in compensation mode under a name derived from the saga id', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: compArn, startDate: new Date(NOW) });
    const { platform } = testPlatform();
    await platform.compensate(operator, { sagaId: 'tx-42', mode: 'compensate', reason: 'settlement outage' });
    const input = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(input.stateMachineArn).toBe(config.stateMachineArn);
    expect(input.name).toBe('tx-42--compensate');
    expect(JSON.parse(input.input ?? '')).toMatchObject({ mode: 'compensate', sagaId: 'tx-42', transactionId: 'tx-42', transaction: tx, reason: 'settlement outage', requestedBy: 'op-1', results: { ValidatePayment: { step: 'ValidatePayment' } } });
  });

  it('maps a second compensation start to Conflict', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists', $metadata: {} }));
    const { platform } = testPlatform();
    await expect(platform.compensate(operator, { sagaId: 'tx-42', mode: 'compensate', reason: 'again' })).rejects.toMatchObject({ code: 'Conflict' });
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
    sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves(describeResponse('FAILED', { error: 'SagaCompensationFailed', stopDate: new Date(NOW - 15 * 86_400_000) }));
    const { platform } = testPlatform();
    await expect(platform.compensate(operator, { sagaId: 'tx-42', mode: 'resume', reason: 'too late' })).rejects.toMatchObject({ code: 'Conflict', message: expect.stringContaining('14 days') as unknown });
    sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves(describeResponse('RUNNING'));
    await expect(platform.compensate(operator, { sagaId: 'tx-42', mode: 'compensate', reason: 'still running' })).rejects.toMatchObject({ code: 'Conflict' });
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('compensates a SUCCEEDED saga (a refund): all three compensations, newest first, then it reads COMPENSATING', async () => {
    const succeeded = [
      ...historyOf(['ValidatePayment', 'ok'], ['ReserveFunds', 'ok'], ['PostLedger', 'ok'], ['SettlePayment', 'ok'], ['Notify', 'ok']),
      { id: 950, type: 'ExecutionSucceeded', timestamp: new Date(NOW - 500) },
    ] as HistoryEvent[];
    sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves(describeResponse('SUCCEEDED', { stopDate: new Date(NOW - 500) }));
    sfn.on(GetExecutionHistoryCommand, { executionArn: arn }).resolves({ events: succeeded });
    const { platform } = testPlatform();
    const preview = await platform.previewCompensation(operator, { sagaId: 'tx-42', mode: 'compensate' });
    expect(preview.actions.map((a) => a.compensation)).toEqual(['VoidSettlement', 'ReverseLedger', 'ReleaseFunds']);
    await expect(platform.previewCompensation(operator, { sagaId: 'tx-42', mode: 'resume' })).rejects.toMatchObject({ code: 'Conflict' });
    sfn.on(StartExecutionCommand).callsFake(() => {
      sfn.on(DescribeExecutionCommand, { executionArn: compArn }).resolves({ executionArn: compArn, stateMachineArn: config.stateMachineArn, name: 'tx-42--compensate', status: 'RUNNING', startDate: new Date(NOW) } as never);
      sfn.on(GetExecutionHistoryCommand, { executionArn: compArn }).resolves({ events: historyOf(['CompensateVoidSettlement', 'running']) });
      return { executionArn: compArn, startDate: new Date(NOW) };
    });
    const started = await platform.compensate(operator, { sagaId: 'tx-42', mode: 'compensate', reason: 'customer refund' });
    expect(started.status).toBe('COMPENSATING');
    expect(started.steps.filter((x) => x.kind === 'compensation').map((x) => `${x.name}:${x.state}`)).toEqual(['VoidSettlement:RUNNING']);
    await expect(platform.compensate(operator, { sagaId: 'tx-42', mode: 'compensate', reason: 'again' })).rejects.toMatchObject({ code: 'Conflict' });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('is refused to viewers and approvers before any AWS call', async () => {
    const { platform } = testPlatform();
    sfn.resetHistory();
    await expect(platform.compensate(callerOf('viewer'), { sagaId: 'tx-42', mode: 'compensate', reason: 'nope' })).rejects.toMatchObject({ code: 'Forbidden' });
    await expect(platform.previewCompensation(callerOf('approver'), { sagaId: 'tx-42', mode: 'compensate' })).rejects.toMatchObject({ code: 'Forbidden' });
    expect(sfn.calls()).toHaveLength(0);
  });
});
