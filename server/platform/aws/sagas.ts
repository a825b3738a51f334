import 'server-only';
import { createHash } from 'node:crypto';
import { RedriveExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { compensationExecutionName, sagaIdFor, type CompensationExecutionInput } from '../../../infra/platform/layout';
import type { CompensateInput } from '../inputs.schema';
import { sagaDetailSchema, type CompensationPreview, type SagaDetail } from '../platform.schema';
import { PlatformError } from '../port';
import type { Ctx } from './clients';
import { call, readAfterAcceptedWrite, withAwsDetail } from './errors';
import { compensationResults, planCompensation } from './saga-compensation-plan';
import { describe, executionArnFor, history } from './saga-executions';
import { parseHistory } from './saga-history';
import { inputOf, toLoadedSaga, type LoadedSaga } from './saga-timeline';

/**
 * One saga on Step Functions (Standard), and its compensation. (listSagas: saga-list.ts.)
 * - compensate (a FAILED saga, or a SUCCEEDED one being refunded): StartExecution of the same
 *   state machine in compensation mode, named
 *   `<sagaId>--compensate`, so a retried request cannot start a second one (the name is unique;
 *   ExecutionAlreadyExists with our own input is the same request, done). Once Step Functions
 *   accepted a compensation or redrive, the call answers without throwing (afterMutation).
 * - resume: RedriveExecution (Standard workflows, within 14 days of the stop), with a client
 *   token derived from the saga id and its redrive count (one redrive per request, retried safely).
 */

async function load(ctx: Ctx, id: string): Promise<LoadedSaga | null> {
  // Not a possible execution name (e.g. a raw transaction id with ':'): no such saga.
  if (id !== sagaIdFor(id)) return null;
  const execution = await describe(ctx, id);
  if (!execution) return null;
  const arn = execution.executionArn ?? executionArnFor(ctx.config.stateMachineArn, id);
  const [events, compensation] = await Promise.all([history(ctx, arn), describe(ctx, compensationExecutionName(id))]);
  const main = parseHistory(events);
  const comp = compensation?.executionArn ? parseHistory(await history(ctx, compensation.executionArn)) : null;
  return toLoadedSaga(ctx, id, execution, compensation, main, comp);
}

export async function getSaga(ctx: Ctx, id: string): Promise<SagaDetail | null> {
  return (await load(ctx, id))?.detail ?? null;
}

export async function previewCompensation(
  ctx: Ctx,
  input: { sagaId: string; mode?: 'compensate' | 'resume' },
): Promise<CompensationPreview> {
  const loaded = await load(ctx, input.sagaId);
  if (!loaded) throw new PlatformError('NotFound', `no saga ${input.sagaId}`, 'sagaId');
  return planCompensation(ctx, loaded, input.mode ?? 'compensate');
}

export async function compensate(ctx: Ctx, input: CompensateInput): Promise<SagaDetail> {
  const loaded = await load(ctx, input.sagaId);
  if (!loaded) throw new PlatformError('NotFound', `no saga ${input.sagaId}`, 'sagaId');
  // Validates the saga's state for this mode (throws Conflict otherwise).
  planCompensation(ctx, loaded, input.mode);
  if (input.mode === 'resume') {
    const target = loaded.compensation ?? loaded.execution;
    const arn = target.executionArn;
    if (!arn) throw new PlatformError('Unavailable', `execution of saga ${input.sagaId} has no ARN`);
    const clientToken = createHash('sha256')
      .update(`${arn}#${target.redriveCount ?? 0}`)
      .digest('hex')
      .slice(0, 64);
    await call(`RedriveExecution ${input.sagaId}`, () =>
      ctx.aws.sfn.send(new RedriveExecutionCommand({ executionArn: arn, clientToken })),
    );
  } else {
    const results = compensationResults(loaded.records);
    const body: CompensationExecutionInput = {
      mode: 'compensate',
      sagaId: input.sagaId,
      transactionId: loaded.detail.transactionId,
      transaction: (inputOf(loaded.execution).raw as { transaction?: unknown } | null)?.transaction ?? null,
      results,
      reason: input.reason,
      requestedBy: ctx.caller.id,
    };
    await startCompensationExecution(ctx, input.sagaId, JSON.stringify(body));
  }
  return afterMutation(ctx, loaded, input.mode);
}

/**
 * StartExecution of the compensation-mode run. Standard workflows are idempotent by name AND
 * input only while the execution runs; once it stopped, or when the input differs, Step Functions
 * answers ExecutionAlreadyExists. An existing `<sagaId>--compensate` execution with exactly our
 * input is this same request, already done (a retry, or a double submission that raced past
 * `planCompensation`): success. With another input it is another request: Conflict.
 */
async function startCompensationExecution(ctx: Ctx, sagaId: string, input: string): Promise<void> {
  const name = compensationExecutionName(sagaId);
  try {
    await call(`StartExecution ${name}`, () =>
      ctx.aws.sfn.send(new StartExecutionCommand({ stateMachineArn: ctx.config.stateMachineArn, name, input })),
    );
  } catch (error) {
    const alreadyExists =
      error instanceof PlatformError &&
      error.code === 'Conflict' &&
      error.cause instanceof Error &&
      error.cause.name === 'ExecutionAlreadyExists';
    if (!alreadyExists) throw error;
    const existing = await describe(ctx, name);
    if (existing?.input === input) return;
    throw withAwsDetail(
      new PlatformError(
        'Conflict',
        `a compensation of saga ${sagaId} was already started by another request (${existing?.status ?? 'unknown'}); reload the saga`,
      ),
      `StartExecution ${name}`,
      error,
    );
  }
}

/**
 * The saga after a compensation or redrive that Step Functions ACCEPTED. The mutation happened, so
 * this never throws: a failed re-read (throttling, …) must not make the caller audit it as failed
 * and retry into a Conflict. Then the saga is returned as known before the call, in the status the
 * mutation put it in (the next read shows the rest); the read error goes to the server log.
 */
async function afterMutation(ctx: Ctx, before: LoadedSaga, mode: CompensateInput['mode']): Promise<SagaDetail> {
  return readAfterAcceptedWrite(
    `the ${mode} of saga ${before.detail.id}`,
    async () => (await load(ctx, before.detail.id))?.detail,
    () => {
      const compensating =
        mode === 'compensate' || before.records.some((r) => r.kind === 'compensation' && r.state === 'FAILED');
      return sagaDetailSchema.parse({
        ...before.detail,
        status: compensating ? 'COMPENSATING' : 'RUNNING',
        endedAt: null,
      });
    },
  );
}
