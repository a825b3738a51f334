/**
 * A running saga's listed status comes from the newest state it entered. A compensation whose
 * invocation is retried (compensationInvokeRetry: up to 20 attempts, three history events each)
 * pushes that state far back in the history: the status must still be COMPENSATING.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  type GetExecutionHistoryInput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { compensationStateName, gateStateName, sagaDefinition } from '../../../infra/saga/definition';
import { executionArnFor } from './saga-executions';
import { callerOf, NOW, testConfig, testPlatform } from './testing';

const sfn = mockClient(SFNClient);
mockClient(DynamoDBDocumentClient);
mockClient(DynamoDBClient);
const config = testConfig();
const arn = executionArnFor(config.stateMachineArn, 'tx-7');
const tx = {
  transactionId: 'tx-7',
  fromAccount: 'a',
  toAccount: 'b',
  amount: 100,
  currency: 'EUR',
  createdAt: '2026-11-26T11:00:00Z',
};

/** Step Functions' GetExecutionHistory over `events` (oldest first): maxResults, reverseOrder, nextToken. */
function historyApi(events: HistoryEvent[]) {
  sfn.on(GetExecutionHistoryCommand).callsFake((input: GetExecutionHistoryInput) => {
    const ordered = input.reverseOrder ? [...events].reverse() : events;
    const from = Number(input.nextToken ?? 0);
    const size = Math.min(input.maxResults || 100, 1000);
    const page = ordered.slice(from, from + size);
    return { events: page, nextToken: from + size < ordered.length ? String(from + size) : undefined };
  });
}

/** A saga that failed at SettlePayment and is now retrying ReleaseFunds' compensation `attempts` times. */
function compensationRetrying(attempts: number): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  let t = NOW - 3_600_000;
  const add = (type: string, extra: Partial<HistoryEvent> = {}) =>
    events.push({
      id: events.length + 1,
      type: type as HistoryEvent['type'],
      timestamp: new Date((t += 1000)),
      ...extra,
    });
  const enter = (type: string, name: string) => add(type, { stateEnteredEventDetails: { name } });
  add('ExecutionStarted');
  enter('TaskStateEntered', 'ReserveFunds');
  add('LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: { output: '{}' } });
  add('TaskStateExited', { stateExitedEventDetails: { name: 'ReserveFunds' } });
  enter('ChoiceStateEntered', gateStateName('ReserveFunds'));
  enter('TaskStateEntered', compensationStateName('ReleaseFunds'));
  for (let i = 0; i < attempts; i++) {
    add('LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: { resource: 'arn:fn' } });
    add('LambdaFunctionStarted');
    add('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error: 'Lambda.TooManyRequestsException' } });
  }
  return events;
}

beforeEach(() => {
  sfn.reset();
  sfn.on(ListExecutionsCommand).resolves({
    executions: [
      {
        executionArn: arn,
        stateMachineArn: config.stateMachineArn,
        name: 'tx-7',
        status: 'RUNNING',
        startDate: new Date(NOW - 3_600_000),
      },
    ],
  });
  sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves({
    executionArn: arn,
    stateMachineArn: config.stateMachineArn,
    name: 'tx-7',
    status: 'RUNNING',
    startDate: new Date(NOW - 3_600_000),
    input: JSON.stringify({ sagaId: 'tx-7', transaction: tx }),
  });
});

describe('listed status of a running saga', () => {
  // The longest retry policy (60 retry events after the entered state), and a compensation
  // redriven twice after exhausting it (180: more than one page of history).
  const attempts = sagaDefinition.compensationInvokeRetry.maxAttempts;
  it.each([attempts, 3 * attempts])(
    'stays COMPENSATING while a compensation is retried (%i attempts), in the COMPENSATING filter too',
    async (n) => {
      historyApi(compensationRetrying(n));
      const { platform } = testPlatform();
      const viewer = callerOf('viewer');
      expect((await platform.listSagas(viewer, {})).items.map((s) => s.status)).toEqual(['COMPENSATING']);
      const filtered = await platform.listSagas(viewer, { status: 'COMPENSATING' });
      expect(filtered.items.map((s) => s.id)).toEqual(['tx-7']);
    },
  );

  it('reads the history newest first and stops at the newest entered state', async () => {
    historyApi(compensationRetrying(1));
    const { platform } = testPlatform();
    expect((await platform.listSagas(callerOf('viewer'), {})).items[0]?.status).toBe('COMPENSATING');
    const reads = sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input);
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ executionArn: arn, reverseOrder: true, includeExecutionData: false });
  });
});
