import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker';
import { MAX_VISIBILITY_TIMEOUT_SECONDS, visibilityTimeout } from './visibility-timeout';

describe('visibility-timeout policy', () => {
  it('never goes below 6 x the function timeout plus the batch window', () => {
    const d = visibilityTimeout({ observedP99Seconds: 0.2, functionTimeoutSeconds: 30, batchWindowSeconds: 5 });
    expect(d).toMatchObject({ timeoutSeconds: 185, clamped: 'floor' });
  });
  // The observation is the p99 of a message's in-flight time (first receive → end of the
  // invocation: the adjuster reads the processor's in-flight metric), not the Lambda Duration,
  // which never exceeds the function timeout and so could never lift 6 × p99 above the floor.
  // In flight, a batch also waits while the event source mapping retries throttled invokes.
  it('follows the observed in-flight p99 between the bounds', () => {
    // 30 s function, 1 s window (floor 181 s): batches waited ~44 s for a concurrency slot,
    // then the window and a 30 s invocation, so 75 s in flight at p99.
    expect(
      visibilityTimeout({ observedP99Seconds: 75, functionTimeoutSeconds: 30, batchWindowSeconds: 1 }),
    ).toMatchObject({ timeoutSeconds: 450, floorSeconds: 181, clamped: null });
  });
  it('is capped at the SQS maximum of 12 hours', () => {
    // A 15-minute function with a 5-minute window whose mapping was throttled for about an hour
    // and a half (the queue's timeout had been raised, so the batches stayed in flight).
    expect(
      visibilityTimeout({ observedP99Seconds: 7_500, functionTimeoutSeconds: 900, batchWindowSeconds: 300 }),
    ).toMatchObject({ timeoutSeconds: MAX_VISIBILITY_TIMEOUT_SECONDS, floorSeconds: 5_700, clamped: 'ceiling' });
  });
  it('uses the floor without observations and refuses nonsense input', () => {
    expect(
      visibilityTimeout({ observedP99Seconds: null, functionTimeoutSeconds: 10, batchWindowSeconds: 1 }).timeoutSeconds,
    ).toBe(61);
    expect(() =>
      visibilityTimeout({ observedP99Seconds: 1, functionTimeoutSeconds: 0, batchWindowSeconds: 0 }),
    ).toThrow(RangeError);
  });
});

describe('circuit breaker', () => {
  const opts = { failureRateThreshold: 50, minimumCalls: 4, windowSize: 10, openMs: 1000, halfOpenMaxCalls: 2 };
  it('opens when the failure rate reaches the threshold, then refuses calls', () => {
    const b = new CircuitBreaker(opts);
    for (const ok of [true, false, true, false]) b.record(ok, 0);
    expect(b.state(0)).toBe('open');
    expect(b.tryAcquire(10)).toBe(false);
  });
  it('stays closed below the minimum number of calls', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 3; i++) b.record(false, 0);
    expect(b.state(0)).toBe('closed');
  });
  it('goes half-open after the open period and closes after successful trials', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 4; i++) b.record(false, 0);
    expect(b.state(1000)).toBe('half-open');
    expect(b.tryAcquire(1000)).toBe(true);
    expect(b.tryAcquire(1000)).toBe(true);
    expect(b.tryAcquire(1000)).toBe(false);
    b.record(true, 1001);
    b.record(true, 1002);
    expect(b.state(1002)).toBe('closed');
  });
  it('re-opens when a half-open trial fails', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 4; i++) b.record(false, 0);
    expect(b.tryAcquire(1500)).toBe(true);
    b.record(false, 1500);
    expect(b.state(1500)).toBe('open');
    expect(b.transitions.map((t) => t.to)).toEqual(['open', 'half-open', 'open']);
  });
  it('counts only the last windowSize calls: old failures slide out of the window', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 4; i++) b.record(false, 0); // opens (4 of 4 failed)
    for (let i = 0; i < 2; i++) b.record(true, 1000 + i); // half-open trials succeed: closed, window cleared
    expect(b.failureRate()).toBe(0);
    for (let i = 0; i < 4; i++) b.record(i % 2 === 0, 2000); // 2 failures of 4: 50 % -> opens again
    expect(b.state(2000)).toBe('open');
    const c = new CircuitBreaker(opts);
    for (let i = 0; i < 4; i++) c.record(i !== 0, 0); // 1 failure, then successes
    for (let i = 0; i < 6; i++) c.record(true, 0); // window full: 1 failure of 10
    expect(c.failureRate()).toBe(10);
    c.record(true, 0); // the failure slides out
    expect(c.failureRate()).toBe(0);
    for (let i = 0; i < 4; i++) c.record(false, 0); // 4 of the last 10
    expect(c.state(0)).toBe('closed');
    expect(c.failureRate()).toBe(40);
    c.record(false, 0); // 5 of the last 10
    expect(c.state(0)).toBe('open');
  });
});
