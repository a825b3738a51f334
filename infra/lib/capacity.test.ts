import { describe, expect, it } from 'vitest';
import { awsLimits, defaultAssumptions, planCapacity, shardPrefixes, TRANSACTION_ID_ALPHABET } from './capacity';

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

  it('sizes 100,000 events/min inside the AWS limits and in the default Lambda account concurrency', () => {
    const p = expectInsideAwsLimits(100_000);
    expect(p).toMatchObject({ shards: 1, batchSize: 50, maxBatchingWindowSeconds: 1 });
    expect(p.totalReservedConcurrency).toBeLessThanOrEqual(awsLimits.lambdaAccountConcurrency - 100);
    // Step Functions Standard starts 300 executions/s by default: 1,667/s needs a quota increase.
    expect(p.quotaIncreasesNeeded).toHaveLength(1);
    expect(p.quotaIncreasesNeeded[0]).toContain('StartExecution');
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
