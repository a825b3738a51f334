import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { retryWindowSeconds, sagaDefinition } from '../saga/definition';
import {
  accountRegionCapacity,
  awsLimits,
  CAPACITY_QUOTA_ID,
  defaultAssumptions,
  planCapacity,
  plannedFunctions,
  shardPrefixes,
  surfaceCapacityPlan,
  TRANSACTION_ID_ALPHABET,
} from './capacity';

// aws-cdk-lib's CloudFormation check is for real templates (npm run synth runs it), not these empty stacks.
process.env.CDK_VALIDATION = 'false';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function expectInsideAwsLimits(eventsPerMinute: number) {
  const p = planCapacity(eventsPerMinute);
  expect(p.maxConcurrencyPerShard).toBeLessThanOrEqual(awsLimits.maxConcurrencyPerMapping);
  expect(p.maxConcurrencyPerShard).toBeGreaterThanOrEqual(awsLimits.minConcurrencyPerMapping);
  expect(p.inFlightPerShard).toBeLessThanOrEqual(awsLimits.inFlightPerStandardQueue);
  expect(p.batchSize).toBeLessThanOrEqual(awsLimits.maxBatchSize);
  if (p.batchSize > 10) expect(p.maxBatchingWindowSeconds).toBeGreaterThan(0);
  expect(p.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * p.functionTimeoutSeconds + p.maxBatchingWindowSeconds);
  expect(p.visibilityTimeoutSeconds).toBeLessThanOrEqual(awsLimits.maxVisibilityTimeoutSeconds);
  // Throttling never burns a receive: all mappings together stay below the reserved concurrency.
  expect(p.shards * p.maxConcurrencyPerShard).toBeLessThan(p.reservedConcurrency);
  // The mappings can carry the rate: busy batches (Little's law) fit the concurrency.
  const busy = (p.eventsPerSecond / p.batchSize) * p.batchDurationSeconds;
  expect(p.shards * p.maxConcurrencyPerShard).toBeGreaterThanOrEqual(busy);
  return p;
}

describe('capacity model', () => {
  it('sizes 10,000 events/min inside the AWS limits with small batches and no quota increase', () => {
    const p = expectInsideAwsLimits(10_000);
    expect(p).toMatchObject({ shards: 1, batchSize: 10, maxBatchingWindowSeconds: 0 });
    expect(p.quotaIncreasesNeeded).toEqual([]);
  });

  it('sizes 100,000 events/min inside the AWS limits and names both quota increases it needs (StartExecution, Lambda concurrency)', () => {
    const p = expectInsideAwsLimits(100_000);
    expect(p).toMatchObject({ shards: 1, batchSize: 50, maxBatchingWindowSeconds: 1 });
    // Step Functions Standard starts 300 executions/s by default: 1,667/s needs a quota increase.
    expect(p.quotaIncreasesNeeded[0]).toContain('StartExecution');
    // With the archive indexer counted, one stack reserves more than the 900 a default account
    // can reserve (1,000 minus the 100 Lambda keeps unreserved): the plan says so.
    expect(p.totalReservedConcurrency).toBeGreaterThan(
      awsLimits.lambdaAccountConcurrency - awsLimits.lambdaUnreservedMinimum,
    );
    expect(p.quotaIncreasesNeeded).toHaveLength(2);
    expect(p.quotaIncreasesNeeded[1]).toBe(
      `Lambda concurrent executions: ${p.totalReservedConcurrency + 100} needed (${p.totalReservedConcurrency} reserved + 100 unreserved), default 1000`,
    );
  });

  it("sizes the archive indexer by Little's law from the rate, its per-event duration and the headroom, and counts it in the total", () => {
    for (const rate of [10_000, 100_000, 1_000_000]) {
      const p = planCapacity(rate);
      const a = defaultAssumptions;
      expect(p.archiveIndexerReservedConcurrency).toBe(
        Math.max(2, Math.ceil((rate / 60) * (a.indexerEventMs / 1000) * a.headroom)),
      );
      // One async invocation per event: concurrency covers the busy executions at the rate.
      expect(p.archiveIndexerReservedConcurrency).toBeGreaterThanOrEqual((rate / 60) * (a.indexerEventMs / 1000));
      expect(p.reservedConcurrencyByGroup.archiveIndexer).toBe(p.archiveIndexerReservedConcurrency);
      const g = p.reservedConcurrencyByGroup;
      expect(g.processor).toBe(p.reservedConcurrency);
      expect(g.sagaSteps).toBe(plannedFunctions.sagaSteps * p.sagaStepReservedConcurrency);
      expect(g.compensations).toBe(plannedFunctions.compensations * p.compensationReservedConcurrency);
      expect(p.totalReservedConcurrency).toBe(Object.values(g).reduce((n, v) => n + v, 0));
    }
    // At 100,000 events/min the former fixed 64 was short of the model's own figure.
    expect(planCapacity(100_000).archiveIndexerReservedConcurrency).toBeGreaterThan(64);
    // A slower indexer gets more concurrency.
    const slow = planCapacity(100_000, { ...defaultAssumptions, indexerEventMs: 120 });
    expect(slow.archiveIndexerReservedConcurrency).toBeGreaterThan(
      planCapacity(100_000).archiveIndexerReservedConcurrency,
    );
  });

  it("works off an undetected downstream outage's compensations (every saga compensating) within the window a throttled compensation keeps retrying", () => {
    // What is guaranteed: not that the compensation functions keep up with the full rate (they
    // are sized for compensationShare of it), but that the backlog of outageDetectionSeconds of
    // sagas, all compensating, is drained while Step Functions still retries the throttled ones.
    const window = retryWindowSeconds(sagaDefinition.compensationInvokeRetry);
    for (const rate of [10_000, 100_000, 1_000_000]) {
      for (const assumptions of [
        defaultAssumptions,
        { ...defaultAssumptions, sagaTaskMs: 200, outageDetectionSeconds: 300 },
      ]) {
        const p = planCapacity(rate, assumptions);
        expect(p.compensationRetryWindowSeconds).toBe(window);
        const backlog = p.eventsPerSecond * assumptions.outageDetectionSeconds;
        const perSecond = p.compensationReservedConcurrency / (assumptions.sagaTaskMs / 1000);
        expect(p.compensationBacklogDrainSeconds).toBeCloseTo(backlog / perSecond, 6);
        expect(p.compensationBacklogDrainSeconds).toBeLessThanOrEqual(window);
      }
    }
    // At 100,000 events/min the share already covers it: the stack's total does not grow.
    const p = planCapacity(100_000);
    const byShare = Math.ceil(
      (p.eventsPerSecond *
        defaultAssumptions.sagaTaskMs *
        defaultAssumptions.headroom *
        defaultAssumptions.compensationShare) /
        1000,
    );
    expect(p.compensationReservedConcurrency).toBe(byShare);
    // A slower compensation needs more concurrency than the share gives, and gets it.
    const slow = planCapacity(100_000, { ...defaultAssumptions, outageDetectionSeconds: 600 });
    expect(slow.compensationReservedConcurrency).toBeGreaterThan(byShare);
    expect(slow.compensationBacklogDrainSeconds).toBeLessThanOrEqual(window);
  });

  it('adds up the stacks that share an account and region: each may fit alone and not together', () => {
    // 10,000 events/min: no quota alone, but two stacks start 2 × 167 sagas/s > 300/s together.
    const small = planCapacity(10_000);
    expect(small.quotaIncreasesNeeded).toEqual([]);
    const two = accountRegionCapacity([
      { name: 'a', plan: small },
      { name: 'b', plan: small },
    ]);
    expect(two.totalReservedConcurrency).toBe(2 * small.totalReservedConcurrency);
    expect(two.quotaIncreasesNeeded).toEqual([
      `Step Functions StartExecution refill rate: ${Math.ceil(2 * small.eventsPerSecond)}/s needed, default 300/s`,
    ]);
    expect(two.breakdown).toBe(
      `a ${small.totalReservedConcurrency} + b ${small.totalReservedConcurrency} = ${two.totalReservedConcurrency}`,
    );
    // 60,000 events/min: one stack's reservations fit the default 900, two do not.
    const mid = planCapacity(60_000);
    expect(mid.totalReservedConcurrency).toBeLessThanOrEqual(900);
    const pair = accountRegionCapacity([
      { name: 'a', plan: mid },
      { name: 'b', plan: mid },
    ]);
    expect(pair.quotaIncreasesNeeded.join('\n')).toContain(
      `Lambda concurrent executions: ${2 * mid.totalReservedConcurrency + 100} needed`,
    );
    expect(() => accountRegionCapacity([])).toThrow(/at least one/);
  });

  it('surfaces each quota increase of an account and region as a [ledgerline:capacity-quota] annotation on every stack there', () => {
    const app = new App();
    const env = { account: '111111111111', region: 'us-east-1' };
    const plan = planCapacity(60_000);
    const staging = new Stack(app, 'staging', { env });
    const production = new Stack(app, 'production', { env });
    const elsewhere = new Stack(app, 'elsewhere', { env: { ...env, region: 'eu-west-1' } });
    const quiet = new Stack(app, 'quiet', { env: { ...env, account: '222222222222' } });
    surfaceCapacityPlan(staging, plan);
    surfaceCapacityPlan(production, plan);
    surfaceCapacityPlan(elsewhere, plan);
    surfaceCapacityPlan(quiet, planCapacity(10_000));
    expect(() => surfaceCapacityPlan(quiet, plan)).toThrow(/already/);
    const quota = Match.stringLikeRegexp(`^\\[${CAPACITY_QUOTA_ID}\\] `);

    const shared = accountRegionCapacity([
      { name: 'staging', plan },
      { name: 'production', plan },
    ]);
    expect(shared.quotaIncreasesNeeded).toHaveLength(2);
    for (const stack of [staging, production]) {
      const annotations = Annotations.fromStack(stack);
      for (const q of shared.quotaIncreasesNeeded) {
        annotations.hasInfo(
          `/${stack.stackName}`,
          Match.stringLikeRegexp(
            `^\\[${CAPACITY_QUOTA_ID}\\] .*account 111111111111, us-east-1.*${escapeRegExp(q)}.*${escapeRegExp(shared.breakdown)} reserved`,
          ),
        );
      }
      expect(annotations.findInfo('*', quota)).toHaveLength(2);
      annotations.hasInfo(
        `/${stack.stackName}`,
        Match.stringLikeRegexp(`us-east-1: ${escapeRegExp(shared.breakdown)} reserved`),
      );
      // Infos, not warnings: warnings land in validation-report.json beside the cdk-nag findings.
      annotations.hasNoWarning('*', Match.anyValue());
    }
    // eu-west-1 alone: only the stack's own quota (StartExecution at 1,000/s), no Lambda increase.
    const alone = Annotations.fromStack(elsewhere);
    expect(plan.quotaIncreasesNeeded).toHaveLength(1);
    expect(alone.findInfo('*', quota)).toHaveLength(1);
    alone.hasInfo('/elsewhere', Match.stringLikeRegexp(escapeRegExp(plan.quotaIncreasesNeeded[0]!)));
    const quietAnnotations = Annotations.fromStack(quiet);
    expect(quietAnnotations.findInfo('*', quota)).toEqual([]);
    quietAnnotations.hasInfo(
      '/quiet',
      Match.stringLikeRegexp(`archive indexer ${planCapacity(10_000).archiveIndexerReservedConcurrency} `),
    );
  });

  it('sizes 1,000,000 events/min with one queue, 100-message batches and 1 s windows, and names the quotas to raise', () => {
    const p = expectInsideAwsLimits(1_000_000);
    // How: 16,667 msg/s in batches of 100 -> ~167 batches/s of ~0.75 s -> ~188 concurrent batches
    // per mapping (limit 1,000) and ~44k messages in flight (limit ~120k): one shard suffices.
    expect(p).toMatchObject({ shards: 1, batchSize: 100, maxBatchingWindowSeconds: 1 });
    expect(p.maxConcurrencyPerShard).toBeLessThan(300);
    expect(p.inFlightPerShard).toBeLessThan(60_000);
    expect(p.quotaIncreasesNeeded.join('\n')).toMatch(/StartExecution[\s\S]*Lambda concurrent executions/);
  });

  it('shards the queue when one mapping or one queue cannot carry the rate (slow consumer)', () => {
    const slow = { ...defaultAssumptions, perRecordMs: 2_000, batchOverheadMs: 500 };
    const p = planCapacity(1_000_000, slow);
    expect(p.shards).toBeGreaterThan(1);
    expect(p.maxConcurrencyPerShard).toBeLessThanOrEqual(awsLimits.maxConcurrencyPerMapping);
    expect(p.inFlightPerShard).toBeLessThanOrEqual(awsLimits.inFlightPerStandardQueue);
  });

  it('refuses a rate it cannot shard and a non-positive rate', () => {
    expect(() => planCapacity(0)).toThrow(/positive/);
    expect(() => planCapacity(1_000_000, { ...defaultAssumptions, perRecordMs: 120_000 })).toThrow(/shards/);
  });

  it('routes every transaction id first character to exactly one shard', () => {
    for (const n of [1, 2, 4, 8, 16]) {
      const all = Array.from({ length: n }, (_, i) => shardPrefixes(i, n)).flat();
      expect(all.sort()).toEqual([...TRANSACTION_ID_ALPHABET].sort());
      // Hex-leading ids (UUIDs) spread evenly.
      for (let i = 0; i < n; i++) expect(shardPrefixes(i, n).filter((c) => /[0-9a-f]/.test(c))).toHaveLength(16 / n);
    }
    expect(() => shardPrefixes(0, 3)).toThrow(/shards/);
  });
});
