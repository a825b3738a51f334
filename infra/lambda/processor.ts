/**
 * The processor Lambda: SQS event source with partial batch responses (Powertools batch).
 * Each record runs infra/runtime/processor.ts `processMessage`: parse, idempotency claim on
 * the TRANSACTION id (Powertools idempotency, DynamoDB, TTL attribute `expiryTime`), start
 * the saga (Step Functions StartExecution named after the transaction, itself idempotent for
 * the same input), complete the claim. Failed records return to the queue; after 3 receives
 * they land in the DLQ.
 * Per invocation it also emits the longest in-flight time of the batch's first-received
 * messages (IN_FLIGHT_METRIC_NAME, infra/platform/description.ts), which the
 * visibility-timeout adjuster reads.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { IN_FLIGHT_METRIC_NAME } from '../platform/description';
import { PoisonMessageError, processMessage } from '../runtime/processor';
import type { TransactionEvent } from '../runtime/transaction';
import { idempotencyAttributes, PowertoolsIdempotencyStore } from './adapters/powertools-idempotency';
import { numberEnv, requireEnv } from './shared/env';
import { observability } from './shared/observability';
import { executionName, sagaInput } from './shared/saga-input';

const { logger, metrics, tracer } = observability();
const tableName = requireEnv('IDEMPOTENCY_TABLE');
const stateMachineArn = requireEnv('STATE_MACHINE_ARN');
const ttlHours = numberEnv('IDEMPOTENCY_TTL_HOURS');

const sfn = tracer.captureAWSv3Client(new SFNClient({}));
const idempotency = new PowertoolsIdempotencyStore({
  tableName,
  ttlHours,
  layer: new DynamoDBPersistenceLayer({
    tableName,
    awsSdkV3Client: tracer.captureAWSv3Client(new DynamoDBClient({})),
    ...idempotencyAttributes,
  }),
});
const batch = new BatchProcessor(EventType.SQS);

async function startSaga(event: TransactionEvent): Promise<{ sagaId: string }> {
  const name = executionName(event.transaction.transactionId);
  try {
    await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(sagaInput(name, event.transaction)) }),
    );
  } catch (e) {
    // Same name and input within 90 days is accepted by Standard workflows (idempotent start).
    if (!(e instanceof ExecutionAlreadyExists)) throw e;
    // Same transaction id, different content: never applied; it goes to the DLQ for review.
    throw new PoisonMessageError(
      'invalid',
      `transaction ${event.transaction.transactionId} already has a saga (${name}) started with different content`,
    );
  }
  return { sagaId: name };
}

/** The current invocation: a claim stays exclusive only as long as this invocation can run. */
let invocation: Context | null = null;

async function recordHandler(record: SQSRecord): Promise<void> {
  try {
    const inProgressMs = invocation?.getRemainingTimeInMillis() ?? 30_000;
    const outcome = await processMessage(record.body, {
      idempotency,
      startSaga,
      now: Date.now,
      ttlHours,
      inProgressMs,
    });
    metrics.addMetric(
      outcome.kind === 'started' ? 'TransactionsProcessed' : 'DuplicatesSuppressed',
      MetricUnit.Count,
      1,
    );
    logger.info(outcome.kind === 'started' ? 'saga started' : 'duplicate suppressed', {
      transactionId: outcome.transactionId,
      sagaId: outcome.sagaId,
      replay: outcome.event.replayName,
    });
  } catch (e) {
    if (e instanceof PoisonMessageError) {
      metrics.addMetric('EventsRejected', MetricUnit.Count, 1);
      logger.error('rejected message', { messageId: record.messageId, code: e.code, reason: e.message });
    } else {
      logger.error('processing failed', { messageId: record.messageId, error: e as Error });
    }
    throw e;
  }
}

/**
 * The longest time, in seconds at `endMs`, that a record of the batch received for the first time
 * has been in flight (since its first receive); null when no record is on its first receive.
 * Later receives are left out: their first-receive timestamp also spans the earlier visibility
 * timeouts, which says nothing about how long one receive stays in flight.
 */
function maxFirstReceiveInFlightSeconds(records: SQSRecord[], endMs: number): number | null {
  let max: number | null = null;
  for (const r of records) {
    if (r.attributes.ApproximateReceiveCount !== '1') continue;
    const first = Number(r.attributes.ApproximateFirstReceiveTimestamp);
    if (!Number.isFinite(first) || first <= 0) continue;
    // Clock skew between SQS and this function must not produce a negative time.
    const seconds = Math.max(0, endMs - first) / 1000;
    if (max === null || seconds > max) max = seconds;
  }
  return max;
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  invocation = context;
  try {
    // A fully failed batch is still a partial response (every id listed), not an invocation
    // error: the messages are retried the same way and the processor-errors alarm stays honest.
    return await processPartialResponse(event, recordHandler, batch, {
      context,
      processInParallel: true,
      throwOnFullBatchFailure: false,
    });
  } finally {
    // One value per invocation (the batch's maximum) keeps the EMF volume low; the p99 of these
    // maxima is a conservative p99 of the messages' in-flight time.
    const inFlight = maxFirstReceiveInFlightSeconds(event.Records, Date.now());
    if (inFlight !== null) metrics.addMetric(IN_FLIGHT_METRIC_NAME, MetricUnit.Seconds, inFlight);
    metrics.publishStoredMetrics();
  }
};
