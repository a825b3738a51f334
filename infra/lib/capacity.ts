/**
 * The synth-time capacity model: events per minute -> how the processing path is sized.
 *
 * Pure arithmetic, no AWS calls. The CDK stacks size the SQS event source mapping, the
 * processor's reserved concurrency, the queue shards and the visibility timeout from it, so a
 * capacity change is a reviewed code/context change with a diff, not a console tweak.
 *
 * Model (all inputs documented on `CapacityAssumptions`):
 *   arrival rate      λ = eventsPerMinute / 60                       (messages/s)
 *   batch duration    d = batchOverheadMs + ceil(batchSize / inBatchParallelism) × perRecordMs
 *   busy batches      L = λ / batchSize × d × headroom               (Little's law, with headroom)
 *   in flight         F = λ × (batchingWindow + d) × headroom          (received, not yet deleted)
 *   shards            n = max(ceil(L / maxConcurrencyPerMapping), ceil(F / inFlightBudget), 1)
 * Each shard is a (queue, DLQ, event source mapping) triple; the bus rules route by the first
 * character of the transaction id (`shardPrefixes`), shards are 1, 2, 4, 8 or 16.
 *
 * Throttling must never burn a receive (3 receives -> DLQ): the mapping's maxConcurrency is
 * always <= the function's reserved concurrency, so Lambda never throttles the poller.
 */

/** AWS limits the model must respect. */
export const awsLimits = {
  /** SQS event source mapping: MaximumConcurrency is 2..1000 concurrent batches per mapping. */
  maxConcurrencyPerMapping: 1000,
  minConcurrencyPerMapping: 2,
  /** Standard queue: ~120,000 in-flight messages (received, not deleted) per queue. */
  inFlightPerStandardQueue: 120_000,
  /** SQS ESM: batch size up to 10,000; above 10 a batching window is mandatory. */
  maxBatchSize: 10_000,
  /** Maximum batching window of an SQS ESM. */
  maxBatchingWindowSeconds: 300,
  /** Visibility timeout ceiling of SQS. */
  maxVisibilityTimeoutSeconds: 43_200,
  /** Step Functions Standard StartExecution refill rate in us-east-1/eu-west-1 (soft quota). */
  stepFunctionsStartExecutionPerSecond: 300,
  /** Default Lambda concurrent executions per account and region (soft quota). */
  lambdaAccountConcurrency: 1000,
} as const;

export interface CapacityAssumptions {
  /** p99 time to apply one transaction (idempotent write + StartExecution), ms. */
  perRecordMs: number;
  /** Fixed cost of one invocation (SQS delete batch, metrics flush), ms. */
  batchOverheadMs: number;
  /** Records of a batch processed concurrently by the Powertools batch processor. */
  inBatchParallelism: number;
  /** Safety factor on busy batches and in-flight messages (bursts, slow downstream). */
  headroom: number;
  /** Share of the per-queue in-flight limit we allow ourselves (leaves room for redrives). */
  inFlightBudgetShare: number;
  /** Mean duration of one saga task invocation, ms (Little's law uses the mean). */
  sagaTaskMs: number;
  /** Share of sagas expected to compensate (sizes the compensation functions). */
  compensationShare: number;
}

export const defaultAssumptions: CapacityAssumptions = {
  perRecordMs: 60,
  batchOverheadMs: 150,
  inBatchParallelism: 10,
  headroom: 1.5,
  inFlightBudgetShare: 0.8,
  sagaTaskMs: 60,
  compensationShare: 0.1,
};

export interface CapacityPlan {
  eventsPerMinute: number;
  eventsPerSecond: number;
  /** Messages per Lambda invocation. */
  batchSize: number;
  /** Seconds the poller waits to fill a batch (0 when batchSize <= 10). */
  maxBatchingWindowSeconds: number;
  /** Expected p99 duration of one batch, seconds. */
  batchDurationSeconds: number;
  /** Processor function timeout, seconds (>= 3 × batch duration, >= 30). */
  functionTimeoutSeconds: number;
  /** Queue visibility timeout: 6 × function timeout + batching window (AWS guidance). */
  visibilityTimeoutSeconds: number;
  /** Number of (queue, DLQ, mapping) shards. */
  shards: number;
  /** ESM MaximumConcurrency per shard. */
  maxConcurrencyPerShard: number;
  /** Processor reserved concurrency: all shards' mappings plus the circuit breaker's probe. */
  reservedConcurrency: number;
  /** Reserved concurrency of each saga step function (every transaction runs each step once). */
  sagaStepReservedConcurrency: number;
  /** Reserved concurrency of each compensation function. */
  compensationReservedConcurrency: number;
  /** Sum of all reserved concurrency of the platform's functions in one region. */
  totalReservedConcurrency: number;
  /** Expected in-flight messages per shard queue at this rate. */
  inFlightPerShard: number;
  /** Quotas that must be raised before this rate can be served (empty when none). */
  quotaIncreasesNeeded: string[];
}

/** Batch size by rate: small batches keep latency low, big ones cut invocations at high rates. */
function batchSizeFor(eventsPerSecond: number): number {
  if (eventsPerSecond <= 200) return 10;
  if (eventsPerSecond <= 2_000) return 50;
  return 100;
}

export function planCapacity(
  eventsPerMinute: number,
  assumptions: CapacityAssumptions = defaultAssumptions,
): CapacityPlan {
  if (!Number.isFinite(eventsPerMinute) || eventsPerMinute <= 0) {
    throw new RangeError(`eventsPerMinute must be a positive number, got ${eventsPerMinute}`);
  }
  const a = assumptions;
  const eventsPerSecond = eventsPerMinute / 60;
  const batchSize = batchSizeFor(eventsPerSecond);
  // A batch larger than 10 needs a window; 1 s fills a 100-batch at >= 100 msg/s per poller.
  const maxBatchingWindowSeconds = batchSize > 10 ? 1 : 0;
  const batchDurationSeconds = (a.batchOverheadMs + Math.ceil(batchSize / a.inBatchParallelism) * a.perRecordMs) / 1000;
  const busyBatches = (eventsPerSecond / batchSize) * batchDurationSeconds * a.headroom;
  const inFlight = eventsPerSecond * (maxBatchingWindowSeconds + batchDurationSeconds) * a.headroom;
  const inFlightBudget = awsLimits.inFlightPerStandardQueue * a.inFlightBudgetShare;

  const needed = Math.max(
    1,
    Math.ceil(busyBatches / awsLimits.maxConcurrencyPerMapping),
    Math.ceil(inFlight / inFlightBudget),
  );
  const shards = [1, 2, 4, 8, 16].find((s) => s >= needed);
  if (shards === undefined)
    throw new RangeError(`${eventsPerMinute} events/min needs ${needed} shards; the router supports 16`);

  const maxConcurrencyPerShard = Math.min(
    awsLimits.maxConcurrencyPerMapping,
    Math.max(awsLimits.minConcurrencyPerMapping, Math.ceil(busyBatches / shards)),
  );
  const functionTimeoutSeconds = Math.max(30, Math.ceil(batchDurationSeconds * 3));
  const visibilityTimeoutSeconds = Math.min(
    awsLimits.maxVisibilityTimeoutSeconds,
    6 * functionTimeoutSeconds + maxBatchingWindowSeconds,
  );
  // +1: the circuit breaker's half-open probe invokes the processor outside the mappings.
  const reservedConcurrency = shards * maxConcurrencyPerShard + 1;

  const stepBusy = eventsPerSecond * (a.sagaTaskMs / 1000) * a.headroom;
  const sagaStepReservedConcurrency = Math.max(2, Math.ceil(stepBusy));
  const compensationReservedConcurrency = Math.max(2, Math.ceil(stepBusy * a.compensationShare));
  // 5 steps, 3 compensations, the processor, and the 2 control functions (1 each).
  const totalReserved = reservedConcurrency + 5 * sagaStepReservedConcurrency + 3 * compensationReservedConcurrency + 2;

  const quotaIncreasesNeeded: string[] = [];
  if (eventsPerSecond > awsLimits.stepFunctionsStartExecutionPerSecond) {
    quotaIncreasesNeeded.push(
      `Step Functions StartExecution refill rate: ${Math.ceil(eventsPerSecond)}/s needed, default ${awsLimits.stepFunctionsStartExecutionPerSecond}/s`,
    );
  }
  if (totalReserved > awsLimits.lambdaAccountConcurrency - 100) {
    quotaIncreasesNeeded.push(
      `Lambda concurrent executions: ${totalReserved + 100} needed (${totalReserved} reserved + 100 unreserved), default ${awsLimits.lambdaAccountConcurrency}`,
    );
  }

  return {
    eventsPerMinute,
    eventsPerSecond,
    batchSize,
    maxBatchingWindowSeconds,
    batchDurationSeconds,
    functionTimeoutSeconds,
    visibilityTimeoutSeconds,
    shards,
    maxConcurrencyPerShard,
    reservedConcurrency,
    sagaStepReservedConcurrency,
    compensationReservedConcurrency,
    totalReservedConcurrency: totalReserved,
    inFlightPerShard: Math.ceil(inFlight / shards),
    quotaIncreasesNeeded,
  };
}

/** The characters a transaction id may start with (infra/runtime/transaction.ts schema). */
export const TRANSACTION_ID_ALPHABET = '0123456789abcdefABCDEFGHIJKLMNOPQRSTUVWXYZghijklmnopqrstuvwxyz._:-';

/**
 * The first characters of the transaction ids shard `shard` of `shards` receives: the id
 * alphabet dealt round-robin, so every id lands in exactly one shard. Skew follows the ids'
 * first-character distribution; the hex digits come first, so ids that start with a hex digit
 * (UUIDs) spread evenly over any supported shard count.
 */
export function shardPrefixes(shard: number, shards: number): string[] {
  if (![1, 2, 4, 8, 16].includes(shards)) throw new RangeError(`shards must be 1, 2, 4, 8 or 16, got ${shards}`);
  if (!Number.isInteger(shard) || shard < 0 || shard >= shards)
    throw new RangeError(`shard ${shard} out of range 0..${shards - 1}`);
  return [...TRANSACTION_ID_ALPHABET].filter((_, i) => i % shards === shard);
}
