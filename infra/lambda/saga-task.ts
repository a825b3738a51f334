/**
 * A saga task Lambda (one function per step and compensation; SAGA_TASK names it). Runs the
 * shared infra/runtime/saga-steps.ts code against DynamoDB (ledger) and EventBridge
 * (downstream), records the task's state and the saga's summary item (shared/saga-summary.ts,
 * the console's layout) in the saga-state table, and throws StepErrors with
 * their name intact so the state machine's Retry/Catch (generated from infra/saga) match them.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { errorNameOf, StepError, type StepDeps, type StepOutput } from '../runtime/ports';
import { runCompensation, runStep } from '../runtime/saga-steps';
import { transactionSchema } from '../runtime/transaction';
import { compensationNames, sagaErrors, stepNames, type CompensationName, type StepName } from '../saga/definition';
import { DynamoDbLedgerStore } from './adapters/dynamodb-ledger';
import { EventBridgeDownstream } from './adapters/eventbridge-downstream';
import { requireEnv } from './shared/env';
import { observability } from './shared/observability';
import { summaryUpdate, type SummaryOutcome } from './shared/saga-summary';

const { logger, metrics, tracer } = observability();
const task = requireEnv('SAGA_TASK');
const isStep = (stepNames as readonly string[]).includes(task);
if (!isStep && !(compensationNames as readonly string[]).includes(task))
  throw new Error(`SAGA_TASK ${task} is not a saga step or compensation`);
const sagaTable = requireEnv('SAGA_TABLE');

const db = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
  marshallOptions: { removeUndefinedValues: true },
});
const deps: StepDeps = {
  ledger: new DynamoDbLedgerStore(db, requireEnv('LEDGER_TABLE')),
  downstream: new EventBridgeDownstream(tracer.captureAWSv3Client(new EventBridgeClient({})), requireEnv('BUS_NAME')),
  now: Date.now,
};
/** Tasks that call the downstream: their outcomes feed the DownstreamFailureRate metric. */
const callsDownstream = new Set(['SettlePayment', 'Notify', 'VoidSettlement']);

export interface SagaTaskEvent {
  sagaId: string;
  transaction: unknown;
  retryCount: number;
  task: string;
}

/**
 * Records the task in the saga-state table (the console's view; the execution history stays
 * authoritative). A failed write is logged and counted but never fails a task whose effect
 * already happened: failing it would compensate around a completed step.
 */
async function record(sagaId: string, status: string, detail: Record<string, unknown>): Promise<void> {
  try {
    await db.send(
      new PutCommand({
        TableName: sagaTable,
        Item: { sagaId, sk: `TASK#${task}`, task, status, updatedAt: Date.now(), ...detail },
      }),
    );
  } catch (e) {
    metrics.addMetric('SagaStateWriteFailures', MetricUnit.Count, 1);
    logger.error('could not record the task in the saga-state table', { sagaId, task, status, error: e as Error });
  }
}

/** Keeps the saga's summary item current (same failure policy as `record`). */
async function summarize(outcome: SummaryOutcome): Promise<void> {
  try {
    await db.send(new UpdateCommand({ TableName: sagaTable, ...summaryUpdate(outcome) }));
  } catch (e) {
    metrics.addMetric('SagaStateWriteFailures', MetricUnit.Count, 1);
    logger.error('could not update the saga summary item', { sagaId: outcome.sagaId, task, error: e as Error });
  }
}

const transientAwsError =
  /Throttl|TooManyRequests|ProvisionedThroughputExceeded|RequestLimitExceeded|TransactionConflict|TransactionCanceled|InternalServerError|ServiceUnavailable|TimeoutError|NetworkingError|ECONNRESET|ETIMEDOUT/;

/**
 * The error name the state machine matches on: StepErrors keep theirs; AWS throttling, 5xx and
 * network errors are TransientError (retried by the step's policy) rather than a generic Error
 * that would compensate the saga over a blip.
 */
export function sagaErrorName(e: unknown): string {
  if (e instanceof StepError) return e.name;
  const aws = (typeof e === 'object' && e !== null ? e : {}) as {
    name?: string;
    $fault?: string;
    $retryable?: unknown;
    code?: string;
  };
  if (
    aws.$fault === 'server' ||
    aws.$retryable !== undefined ||
    transientAwsError.test(`${aws.name ?? ''} ${aws.code ?? ''}`)
  )
    return sagaErrors.transient;
  return errorNameOf(e);
}

export const handler = async (event: SagaTaskEvent, context: Context): Promise<StepOutput> => {
  logger.addContext(context);
  if (event.task !== task) throw new Error(`this function runs ${task}, the state machine asked for ${event.task}`);
  const parsed = transactionSchema.safeParse(event.transaction);
  if (!parsed.success)
    throw new Error(
      `saga ${event.sagaId}: invalid transaction: ${parsed.error.issues.map((i) => i.path.join('.') + ' ' + i.message).join('; ')}`,
    );
  const ctx = { sagaId: event.sagaId, transaction: parsed.data, attempt: (event.retryCount ?? 0) + 1 };
  try {
    const output = isStep
      ? await runStep(task as StepName, ctx, deps)
      : await runCompensation(task as CompensationName, ctx, deps);
    await record(event.sagaId, 'SUCCEEDED', { attempt: ctx.attempt, output });
    await summarize({
      sagaId: event.sagaId,
      task: task as StepName | CompensationName,
      transaction: parsed.data,
      attempt: ctx.attempt,
      error: null,
      now: Date.now(),
    });
    if (callsDownstream.has(task)) metrics.addMetric('DownstreamFailureRate', MetricUnit.Percent, 0);
    if (task === 'Notify') metrics.addMetric('CompensationRate', MetricUnit.Percent, 0);
    if (task === 'ReleaseFunds') {
      // ReleaseFunds is the last compensation of every compensated saga that reached ReserveFunds
      // (compensationsFor: a failed step's own compensation runs too, so also when ReserveFunds failed).
      metrics.addMetric('SagasCompensated', MetricUnit.Count, 1);
      metrics.addMetric('CompensationRate', MetricUnit.Percent, 100);
    }
    return output;
  } catch (e) {
    const name = sagaErrorName(e);
    const message = e instanceof Error ? e.message : String(e);
    if (callsDownstream.has(task)) metrics.addMetric('DownstreamFailureRate', MetricUnit.Percent, 100);
    logger.error('saga task failed', { sagaId: event.sagaId, task, attempt: ctx.attempt, errorName: name, message });
    await record(event.sagaId, 'FAILED', { attempt: ctx.attempt, error: { name, message } });
    await summarize({
      sagaId: event.sagaId,
      task: task as StepName | CompensationName,
      transaction: parsed.data,
      attempt: ctx.attempt,
      error: { name, message },
      now: Date.now(),
    });
    // Step Functions matches Retry/Catch on the Lambda errorType, which is the error's name.
    const err = new Error(message);
    err.name = name;
    throw err;
  } finally {
    metrics.publishStoredMetrics();
  }
};
