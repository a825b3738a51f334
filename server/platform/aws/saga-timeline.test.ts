import type { DescribeExecutionOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { compensationStateName } from '../../../infra/saga/definition';
import { planCompensation } from './saga-compensation-plan';
import { parseHistory } from './saga-history';
import { toLoadedSaga } from './saga-timeline';
import { NOW, testConfig } from './testing';

const tx = {
  transactionId: 'tx-77',
  fromAccount: 'acc-a',
  toAccount: 'acc-b',
  amount: 45577,
  currency: 'USD',
  createdAt: '2026-11-26T11:00:00Z',
};
const ctx = { config: testConfig(), now: () => NOW };

/** A history in the shape Step Functions returns for task states (TaskScheduled / TaskFailed / TaskSucceeded). */
function history(start: number, parts: [state: string, failures: number, succeeds: boolean][], end: string) {
  const events: HistoryEvent[] = [];
  let t = start;
  const add = (type: string, extra: Partial<HistoryEvent> = {}) =>
    events.push({
      id: events.length + 1,
      type: type as HistoryEvent['type'],
      timestamp: new Date((t += 100)),
      ...extra,
    });
  add('ExecutionStarted');
  for (const [state, failures, succeeds] of parts) {
    add('TaskStateEntered', { stateEnteredEventDetails: { name: state, input: '{}' } });
    for (let i = 0; i < failures + (succeeds ? 1 : 0); i++) {
      add('TaskScheduled', {
        taskScheduledEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          region: 'eu-west-1',
          parameters: '{}',
        },
      });
      if (i < failures)
        add('TaskFailed', {
          taskFailedEventDetails: {
            resourceType: 'lambda',
            resource: 'invoke',
            error: 'TransientError',
            cause: `network down (${state} #${i + 1})`,
          },
        });
      else
        add('TaskSucceeded', {
          taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: '{}' },
        });
    }
    if (succeeds) add('TaskStateExited', { stateExitedEventDetails: { name: state, output: '{}' } });
  }
  add('FailStateEntered', { stateEnteredEventDetails: { name: end } });
  const error = end === 'Compensated' ? 'SagaCompensated' : 'SagaCompensationFailed';
  add('ExecutionFailed', { executionFailedEventDetails: { error } });
  return { events, error, stop: new Date(t) };
}

const execution = (name: string, h: { error: string; stop: Date }, start: number): DescribeExecutionOutput => ({
  executionArn: `arn:aws:states:eu-west-1:111122223333:execution:saga:${name}`,
  stateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:saga',
  name,
  status: 'FAILED',
  error: h.error,
  startDate: new Date(start),
  stopDate: h.stop,
  input: JSON.stringify({ sagaId: 'tx-77', transaction: tx }),
});

// The first run: SettlePayment fails for good, VoidSettlement fails 4 times, the saga stops FAILED.
const firstStart = NOW - 120_000;
const first = history(
  firstStart,
  [
    ['ValidatePayment', 0, true],
    ['ReserveFunds', 0, true],
    ['PostLedger', 0, true],
    ['SettlePayment', 3, false],
    [compensationStateName('VoidSettlement'), 4, false],
  ],
  'CompensationFailed',
);

describe('a saga compensated in two runs (its execution, then the operator’s --compensate execution)', () => {
  it('keeps every attempt of both runs of a compensation, in order, with their errors', () => {
    const secondStart = NOW - 30_000;
    const second = history(
      secondStart,
      [
        [compensationStateName('VoidSettlement'), 0, true],
        [compensationStateName('ReverseLedger'), 0, true],
        [compensationStateName('ReleaseFunds'), 0, true],
      ],
      'Compensated',
    );
    const loaded = toLoadedSaga(
      ctx,
      'tx-77',
      execution('tx-77', first, firstStart),
      execution('tx-77--compensate', second, secondStart),
      parseHistory(first.events),
      parseHistory(second.events),
    );
    expect(loaded.detail.status).toBe('COMPENSATED');
    const voids = loaded.detail.steps.filter((s) => s.name === 'VoidSettlement');
    expect(voids).toHaveLength(1);
    const v = voids[0]!;
    expect(v.state).toBe('SUCCEEDED');
    expect(v.attempts).toBe(5);
    expect(v.attemptsDetail!.map((a) => `${a.n}:${a.outcome}`)).toEqual([
      '1:failed',
      '2:failed',
      '3:failed',
      '4:failed',
      '5:succeeded',
    ]);
    expect(v.attemptsDetail!.slice(0, 4).map((a) => a.error)).toEqual(
      [1, 2, 3, 4].map((i) => `TransientError: network down (CompensateVoidSettlement #${i})`),
    );
    expect(v.attemptsDetail![4]!.error).toBeNull();
    // Its start is the first run's.
    expect(Date.parse(v.startedAt!)).toBeLessThanOrEqual(Date.parse(v.attemptsDetail![0]!.startedAt!));
    expect(Date.parse(v.startedAt!)).toBeLessThan(secondStart);
    expect(Date.parse(v.attemptsDetail![4]!.startedAt!)).toBeGreaterThanOrEqual(secondStart);
    const settle = loaded.detail.steps.find((s) => s.name === 'SettlePayment')!;
    expect(settle.attemptsDetail!.map((a) => a.outcome)).toEqual(['failed', 'failed', 'failed']);
  });

  it('describes the compensation plan with the amount formatted from minor units with its currency', () => {
    const loaded = toLoadedSaga(
      ctx,
      'tx-77',
      execution('tx-77', first, firstStart),
      null,
      parseHistory(first.events),
      null,
    );
    const preview = planCompensation(ctx, loaded, 'compensate');
    const release = preview.actions.find((a) => a.compensation === 'ReleaseFunds')!;
    expect(release.description).toBe('Release the hold of USD 455.77 on acc-a');
    expect(release.amount).toBe(45577);
  });
});
