import 'server-only';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  type DescribeExecutionOutput,
  type ExecutionStatus,
  type HistoryEvent,
  type ListExecutionsOutput,
} from '@aws-sdk/client-sfn';
import { PlatformError } from '../port';
import type { Ctx } from './clients';
import { call, isNotFound } from './errors';

/**
 * The Step Functions reads of the saga calls. One Standard execution per saga, named by the saga
 * id (= sagaIdFor(transactionId)); its input is `{ sagaId, transaction }`.
 */

export function executionArnFor(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(':');
  if (parts[5] !== 'stateMachine' || parts.length < 7)
    throw new PlatformError('Invalid', `not a state machine ARN: ${stateMachineArn}`);
  return [...parts.slice(0, 5), 'execution', parts[6], name].join(':');
}

export async function describe(ctx: Ctx, name: string): Promise<DescribeExecutionOutput | null> {
  try {
    return await call(`DescribeExecution ${name}`, () =>
      ctx.aws.sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArnFor(ctx.config.stateMachineArn, name) }),
      ),
    );
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

export async function history(ctx: Ctx, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let token: string | undefined;
  do {
    const res = await call('GetExecutionHistory', () =>
      ctx.aws.sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 1000,
          nextToken: token,
          includeExecutionData: true,
        }),
      ),
    );
    events.push(...(res.events ?? []));
    token = res.nextToken;
  } while (token);
  return events;
}

/** One ListExecutions page of the saga state machine, newest first. */
export async function listExecutions(
  ctx: Ctx,
  statusFilter: ExecutionStatus | undefined,
  maxResults: number,
  nextToken: string | undefined,
): Promise<ListExecutionsOutput> {
  return call('ListExecutions', () =>
    ctx.aws.sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: ctx.config.stateMachineArn,
        statusFilter,
        maxResults,
        nextToken,
      }),
    ),
  );
}
