/**
 * The synth-time capacity model: events per minute -> how the processing path is sized.
 *
 * `planCapacity` and `accountRegionCapacity` are pure arithmetic, no AWS calls (only
 * `surfaceCapacityPlan` touches the CDK tree). The CDK stacks size the SQS event source mapping,
 * every function's reserved concurrency, the queue shards and the visibility timeout from it, so a
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
 *
 * Every function of a stack gets reserved concurrency from this plan (processor, saga steps and
 * compensations, archive indexer; the two control functions reserve 1 each), and
 * `totalReservedConcurrency` is their sum. Reserved concurrency and the Step Functions
 * StartExecution bucket are quotas of the ACCOUNT AND REGION, not of a stack: the stacks that
 * share one (staging and production both deploy to us-east-1 of the same `account` by default)
 * are added up by `accountRegionCapacity`, and `surfaceCapacityPlan` writes the result into the
 * synth output (annotations tagged `[ledgerline:capacity-quota]`) so a quota increase is requested
 * before the deployment that needs it (CloudFormation refuses a ReservedConcurrentExecutions that
 * leaves fewer than 100 unreserved executions in the region).
 */
import { Annotations, Aspects, Stack, Stage, Token, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { compensationNames, retryWindowSeconds, sagaDefinition, stepNames } from '../saga/definition';

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
  /** Default Lambda concurrent executions per account and region (soft quota L-B99A9384). */
  lambdaAccountConcurrency: 1000,
  /** Concurrency Lambda keeps unreserved per account and region (reservations cannot take it). */
  lambdaUnreservedMinimum: 100,
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
  /** Share of sagas expected to compensate in normal operation (sizes the compensation functions). */
  compensationShare: number;
  /**
   * Seconds a downstream outage makes EVERY saga compensate before the circuit breaker stops
   * starting sagas: the downstream alarm needs 2 of 2 one-minute datapoints, plus CloudWatch's
   * evaluation delay and the breaker's reaction. The compensation functions must work off the
   * compensations of that window within `compensationInvokeRetry`'s window (see planCapacity).
   */
  outageDetectionSeconds: number;
  /**
   * Mean duration of one archive-indexer invocation, ms. EventBridge invokes the indexer
   * asynchronously with ONE event per invocation, so its busy executions are λ × this ×
   * headroom, like a saga task's: the invocation (Powertools logger/tracer, X-Ray-wrapped client)
   * plus one conditional PutItem on a CMK-encrypted table through the VPC endpoint — the same
   * work as a saga task's single write, hence the same figure. (A bare PutItem's ~20 ms, which
   * the former fixed 64 was based on, leaves out the invocation and the cold starts of a burst.)
   * A throttled async invocation is retried by Lambda/EventBridge, not lost, but it delays the
   * replay-preview index.
   */
  indexerEventMs: number;
}

export const defaultAssumptions: CapacityAssumptions = {
  perRecordMs: 60,
  batchOverheadMs: 150,
  inBatchParallelism: 10,
  headroom: 1.5,
  inFlightBudgetShare: 0.8,
  sagaTaskMs: 60,
  compensationShare: 0.1,
  outageDetectionSeconds: 180,
  indexerEventMs: 60,
};

/** Functions whose reserved concurrency the plan sets, and how many of each a stack has. */
export const plannedFunctions = {
  processor: 1,
  sagaSteps: stepNames.length,
  compensations: compensationNames.length,
  archiveIndexer: 1,
  /** The concurrency adjuster and the circuit breaker (processing.ts): 1 each. */
  controlFunctions: 2,
} as const;

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
  /**
   * Reserved concurrency of each compensation function: the larger of the normal share
   * (compensationShare of the sagas) and what works off an outage's compensations in time
   * (`compensationBacklogDrainSeconds` <= `compensationRetryWindowSeconds`).
   */
  compensationReservedConcurrency: number;
  /**
   * Seconds each compensation function needs, at its reserved concurrency, to run the
   * compensations of `outageDetectionSeconds` of sagas at the full rate (all compensating).
   */
  compensationBacklogDrainSeconds: number;
  /**
   * How long a throttled compensation keeps being retried before it fails for good
   * (sagaDefinition.compensationInvokeRetry's total backoff), seconds.
   */
  compensationRetryWindowSeconds: number;
  /** Reserved concurrency of the archive indexer (one async invocation per archived event). */
  archiveIndexerReservedConcurrency: number;
  /** Reserved concurrency per function group (count × per-function value), summing to the total. */
  reservedConcurrencyByGroup: Record<keyof typeof plannedFunctions, number>;
  /** Sum of all reserved concurrency of ONE stack's functions (one stage in one region). */
  totalReservedConcurrency: number;
  /** Expected in-flight messages per shard queue at this rate. */
  inFlightPerShard: number;
  /**
   * Quotas that must be raised before this stack alone can serve the rate (empty when none).
   * Stacks sharing an account and region need the sum: see `accountRegionCapacity`.
   */
  quotaIncreasesNeeded: string[];
}

/** The soft quotas a region must have raised to start `startsPerSecond` sagas with `reserved` reserved. */
function quotaIncreasesFor(startsPerSecond: number, reserved: number): string[] {
  const out: string[] = [];
  if (startsPerSecond > awsLimits.stepFunctionsStartExecutionPerSecond) {
    out.push(
      `Step Functions StartExecution refill rate: ${Math.ceil(startsPerSecond)}/s needed, default ${awsLimits.stepFunctionsStartExecutionPerSecond}/s`,
    );
  }
  if (reserved > awsLimits.lambdaAccountConcurrency - awsLimits.lambdaUnreservedMinimum) {
    const min = awsLimits.lambdaUnreservedMinimum;
    out.push(
      `Lambda concurrent executions: ${reserved + min} needed (${reserved} reserved + ${min} unreserved), default ${awsLimits.lambdaAccountConcurrency}`,
    );
  }
  return out;
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

  // Busy executions of a function invoked once per event (Little's law, with headroom).
  const busyPerEvent = (ms: number) => eventsPerSecond * (ms / 1000) * a.headroom;
  const stepBusy = busyPerEvent(a.sagaTaskMs);
  const sagaStepReservedConcurrency = Math.max(2, Math.ceil(stepBusy));
  // An outage: λ × detection compensations per compensation function, each busy sagaTaskMs, to be
  // run within the invoke retry window (throttled ones wait in Step Functions' retries meanwhile).
  const compensationRetryWindowSeconds = retryWindowSeconds(sagaDefinition.compensationInvokeRetry);
  const outageWork = eventsPerSecond * a.outageDetectionSeconds * (a.sagaTaskMs / 1000);
  const compensationReservedConcurrency = Math.max(
    2,
    Math.ceil(stepBusy * a.compensationShare),
    Math.ceil(outageWork / compensationRetryWindowSeconds),
  );
  const compensationBacklogDrainSeconds = outageWork / compensationReservedConcurrency;
  const archiveIndexerReservedConcurrency = Math.max(2, Math.ceil(busyPerEvent(a.indexerEventMs)));
  const reservedConcurrencyByGroup = {
    processor: plannedFunctions.processor * reservedConcurrency,
    sagaSteps: plannedFunctions.sagaSteps * sagaStepReservedConcurrency,
    compensations: plannedFunctions.compensations * compensationReservedConcurrency,
    archiveIndexer: plannedFunctions.archiveIndexer * archiveIndexerReservedConcurrency,
    controlFunctions: plannedFunctions.controlFunctions * 1,
  };
  const totalReserved = Object.values(reservedConcurrencyByGroup).reduce((n, v) => n + v, 0);
  const quotaIncreasesNeeded = quotaIncreasesFor(eventsPerSecond, totalReserved);

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
    compensationBacklogDrainSeconds,
    compensationRetryWindowSeconds,
    archiveIndexerReservedConcurrency,
    reservedConcurrencyByGroup,
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

/** One stack's plan, as one tenant of an account and region. */
export interface CapacityTenant {
  /** The stack's name (e.g. ledgerline-staging-us-east-1). */
  name: string;
  plan: CapacityPlan;
}

export interface AccountRegionCapacity {
  /** Reserved concurrency of all the tenants together. */
  totalReservedConcurrency: number;
  /** Sagas started per second by all the tenants together at their planned rates. */
  startExecutionsPerSecond: number;
  /** Quotas of the account and region that must be raised (empty when none). */
  quotaIncreasesNeeded: string[];
  /** "ledgerline-staging-us-east-1 972 + ledgerline-production-us-east-1 972 = 1944". */
  breakdown: string;
}

/**
 * What the stacks sharing one account and region need together: Lambda reserved concurrency and
 * the StartExecution bucket are per account and region, so two stacks that each fit alone may
 * not fit together.
 */
export function accountRegionCapacity(tenants: readonly CapacityTenant[]): AccountRegionCapacity {
  if (tenants.length === 0) throw new RangeError('accountRegionCapacity needs at least one stack');
  const totalReservedConcurrency = tenants.reduce((n, t) => n + t.plan.totalReservedConcurrency, 0);
  const startExecutionsPerSecond = tenants.reduce((n, t) => n + t.plan.eventsPerSecond, 0);
  const parts = tenants.map((t) => `${t.name} ${t.plan.totalReservedConcurrency}`).join(' + ');
  return {
    totalReservedConcurrency,
    startExecutionsPerSecond,
    quotaIncreasesNeeded: quotaIncreasesFor(startExecutionsPerSecond, totalReservedConcurrency),
    breakdown: tenants.length > 1 ? `${parts} = ${totalReservedConcurrency}` : parts,
  };
}

/** Stable id that starts every quota annotation's text: `[ledgerline:capacity-quota] ...`. */
export const CAPACITY_QUOTA_ID = 'ledgerline:capacity-quota';

const surfaced = new WeakMap<Stack, CapacityPlan>();

/** The plan of a stack registered with `surfaceCapacityPlan`, if any. */
export function registeredPlan(stack: Stack): CapacityPlan | undefined {
  return surfaced.get(stack);
}

/** "the deploying account" when the stacks are environment-agnostic, else the account id. */
function accountLabel(stack: Stack): string {
  return Token.isUnresolved(stack.account) ? 'the deploying account' : `account ${stack.account}`;
}

/**
 * Writes a stack's plan into the synth output (cloud assembly metadata, printed by `cdk synth`):
 * an info with the per-function sizing and the account-and-region total, and one info tagged
 * `[ledgerline:capacity-quota]` per quota that must be raised in that account and region. Runs
 * as an aspect, i.e. when the app synthesizes and every stack exists, so the total counts every
 * stack registered in the same account and region (staging and production share us-east-1 of
 * one account unless `account` differs per stage).
 *
 * Why info and not a warning: aws-cdk-lib 2.276 copies every warning into
 * cdk.out/validation-report.json as a violation of the "Construct Annotations" plugin, next to
 * the cdk-nag packs' reports, where the cdk-nag gate (infra/test/cdk-nag.test.ts, `npm run
 * synth`'s "unacknowledged" count) reads any violation as an unacknowledged finding. Infos stay
 * out of that report.
 */
export function surfaceCapacityPlan(stack: Stack, plan: CapacityPlan): void {
  if (surfaced.has(stack)) throw new Error(`the capacity plan of ${stack.node.path} is already surfaced`);
  surfaced.set(stack, plan);
  let done = false;
  const aspect: IAspect = {
    visit(node: IConstruct) {
      if (node !== stack || done) return;
      done = true;
      annotate(stack, plan);
    },
  };
  Aspects.of(stack).add(aspect);
}

function annotate(stack: Stack, plan: CapacityPlan): void {
  const stage = Stage.of(stack);
  const siblings = (stage?.node.children ?? [stack]).filter(
    (c): c is Stack => Stack.isStack(c) && surfaced.has(c) && c.account === stack.account && c.region === stack.region,
  );
  const tenants = siblings.map((s) => ({ name: s.stackName, plan: surfaced.get(s)! }));
  const shared = accountRegionCapacity(tenants);
  const where = `${accountLabel(stack)}, ${stack.region}`;
  const g = plan.reservedConcurrencyByGroup;
  const annotations = Annotations.of(stack);
  annotations.addInfo(
    `Capacity plan: ${plan.eventsPerMinute} events/min (${Math.ceil(plan.eventsPerSecond)}/s); reserved concurrency of this stack ${plan.totalReservedConcurrency} = processor ${g.processor} + saga steps ${g.sagaSteps} (${plannedFunctions.sagaSteps} × ${plan.sagaStepReservedConcurrency}) + compensations ${g.compensations} (${plannedFunctions.compensations} × ${plan.compensationReservedConcurrency}) + archive indexer ${g.archiveIndexer} + control functions ${g.controlFunctions}; ${where}: ${shared.breakdown} reserved.`,
  );
  for (const q of shared.quotaIncreasesNeeded) {
    annotations.addInfo(
      `[${CAPACITY_QUOTA_ID}] Quota increase needed in ${where} before deploying for ${plan.eventsPerMinute} events/min: ${q}. Stacks in this account and region: ${shared.breakdown} reserved, ${Math.ceil(shared.startExecutionsPerSecond)} saga starts/s.`,
    );
  }
}
