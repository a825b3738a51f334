/**
 * The processor Lambda: SQS event source with partial batch responses (Powertools batch).
 * Each record runs infra/runtime/processor.ts `processMessage`: parse, idempotency claim on
 * the TRANSACTION id (Powertools idempotency, DynamoDB, TTL attribute `expiryTime`, payload
 * validation on the transaction), start the saga (Step Functions StartExecution named after the
 * transaction), complete the claim. Failed records return to the queue; after 3 receives they
 * land in the DLQ.
 * The same transaction id with other content goes to the DLQ (PoisonMessageError), whether the
 * idempotency record still holds the first one (its payload hash differs) or the record is gone
 * and only the saga's execution remains (its input differs). The same transaction again is a
 * suppressed duplicate in both cases.
 * Per invocation it also emits the longest in-flight time of the batch's first-received
 * messages (IN_FLIGHT_METRIC_NAME, infra/platform/description.ts), which the
 * visibility-timeout adjuster reads.
 * A message that fails on its last receive (ApproximateReceiveCount ≥ MAX_RECEIVE_COUNT: SQS moves
 * it to the DLQ at its next receive) is recorded in the failure index (FAILURE_INDEX_TABLE, layout
 * in infra/platform/layout.ts) with its failure class first; a failed index write is logged and
 * counted (FailureIndexWriteFailed), it never changes the message's outcome.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { IN_FLIGHT_METRIC_NAME, MAX_RECEIVE_COUNT } from '../platform/description';
import { failureIndexRequests } from '../runtime/failure-class-index';
import { canonicalTransaction, PoisonMessageError, processMessage } from '../runtime/processor';
import { parseTransactionEvent, transactionSchema, type TransactionEvent } from '../runtime/transaction';
import { idempotencyAttributes, PowertoolsIdempotencyStore } from './adapters/powertools-idempotency';
import { numberEnv, requireEnv } from './shared/env';
import { observability } from './shared/observability';
import { executionName, sagaInput, type SagaInput } from './shared/saga-input';

const { logger, metrics, tracer } = observability();
const tableName = requireEnv('IDEMPOTENCY_TABLE');
const stateMachineArn = requireEnv('STATE_MACHINE_ARN');
const ttlHours = numberEnv('IDEMPOTENCY_TTL_HOURS');

const failureIndexTable = process.env.FAILURE_INDEX_TABLE ?? '';
/** `<prefix>-`: a source queue's name is this plus its queue pair id. */
const queueNamePrefix = process.env.QUEUE_NAME_PREFIX ?? '';

const sfn = tracer.captureAWSv3Client(new SFNClient({}));
const ddb = tracer.captureAWSv3Client(new DynamoDBClient({}));
const idempotency = new PowertoolsIdempotencyStore({
  tableName,
  ttlHours,
  layer: new DynamoDBPersistenceLayer({
    tableName,
    awsSdkV3Client: ddb,
    ...idempotencyAttributes,
  }),
});
const batch = new BatchProcessor(EventType.SQS);

/** `arn:<partition>:states:<region>:<account>:execution:<state machine>:` (what an execution's ARN starts with). */
function executionArnPrefix(stateMachine: string): string {
  const marker = ':stateMachine:';
  const at = stateMachine.indexOf(marker);
  if (!stateMachine.startsWith('arn:') || at < 0)
    throw new Error(`STATE_MACHINE_ARN is not a state machine ARN: ${JSON.stringify(stateMachine)}`);
  return `${stateMachine.slice(0, at)}:execution:${stateMachine.slice(at + marker.length)}:`;
}
const executionsArn = executionArnPrefix(stateMachineArn);

/** True when an execution's input (JSON text) is `expected`: the same saga id and the same transaction, in any key order. */
function sameSagaInput(input: string, expected: SagaInput): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null) return false;
  const { sagaId, transaction } = parsed as { sagaId?: unknown; transaction?: unknown };
  const tx = transactionSchema.safeParse(transaction);
  return (
    sagaId === expected.sagaId &&
    tx.success &&
    canonicalTransaction(tx.data) === canonicalTransaction(expected.transaction)
  );
}

async function startSaga(event: TransactionEvent): Promise<{ sagaId: string; alreadyStarted?: boolean }> {
  const name = executionName(event.transaction.transactionId);
  const input = sagaInput(name, event.transaction);
  try {
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    // An open execution with the same name and input answers success without starting another.
    return { sagaId: name };
  } catch (e) {
    if (!(e instanceof ExecutionAlreadyExists)) throw e;
  }
  // ExecutionAlreadyExists: an open execution of this name has other input, or one has CLOSED,
  // whatever its input (StartExecution API reference). Its input tells which: the same
  // transaction (its completion was lost, or its idempotency record expired) was applied once
  // already; other content under the same transaction id goes to the DLQ for review.
  const existing = await sfn.send(new DescribeExecutionCommand({ executionArn: `${executionsArn}${name}` }));
  if (existing.input === undefined)
    throw new Error(
      `transaction ${event.transaction.transactionId}: execution ${name} exists but DescribeExecution returned no input to compare with`,
    );
  if (sameSagaInput(existing.input, input)) {
    logger.info('saga already started for this transaction', { sagaId: name, status: existing.status });
    return { sagaId: name, alreadyStarted: true };
  }
  throw new PoisonMessageError(
    'invalid',
    `transaction ${event.transaction.transactionId} already has a saga (${name}) started with different content`,
  );
}

/**
 * Records a message's last failure in the failure index: the entry (once: a conditional put, so a
 * retried invocation does not count it twice), then its class's count, first/last seen and sample.
 */
export async function recordLastFailure(
  client: Pick<DynamoDBClient, 'send'>,
  table: string,
  record: Pick<SQSRecord, 'messageId' | 'body' | 'eventSourceARN'>,
  error: unknown,
  nowMs: number,
  prefix = queueNamePrefix,
): Promise<void> {
  const queueName = record.eventSourceARN.split(':').pop() ?? '';
  const queueId = prefix && queueName.startsWith(prefix) ? queueName.slice(prefix.length) : queueName;
  const { put, update } = failureIndexRequests(table, {
    queueId,
    messageId: record.messageId,
    body: record.body,
    error,
    nowMs,
  });
  try {
    await client.send(new PutItemCommand(put));
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return; // recorded by an earlier attempt
    throw e;
  }
  await client.send(new UpdateItemCommand(update));
}

/** The current invocation: a claim stays exclusive only as long as this invocation can run. */
let invocation: Context | null = null;

async function recordHandler(record: SQSRecord): Promise<void> {
  try {
    const inProgressMs = invocation?.getRemainingTimeInMillis() ?? 30_000;
    // Parsed once here so the idempotency record can carry (and be checked against) the transaction.
    const parsed = parseTransactionEvent(record.body);
    const outcome = await processMessage(record.body, {
      idempotency: parsed.ok ? idempotency.forTransaction(parsed.event.transaction) : idempotency,
      parse: () => parsed,
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
    if (failureIndexTable && Number(record.attributes.ApproximateReceiveCount) >= MAX_RECEIVE_COUNT) {
      try {
        await recordLastFailure(ddb, failureIndexTable, record, e, Date.now());
      } catch (indexError) {
        metrics.addMetric('FailureIndexWriteFailed', MetricUnit.Count, 1);
        logger.error('failure index write failed', { messageId: record.messageId, error: indexError as Error });
      }
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
