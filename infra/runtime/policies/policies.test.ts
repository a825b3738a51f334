import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker';
import { MAX_VISIBILITY_TIMEOUT_SECONDS, visibilityTimeout } from './visibility-timeout';

describe('visibility-timeout policy', () => {
  it('never goes below 6 x the function timeout plus the batch window', () => {
    const d = visibilityTimeout({ observedP99Seconds: 0.2, functionTimeoutSeconds: 30, batchWindowSeconds: 5 });
    expect(d).toMatchObject({ timeoutSeconds: 185, clamped: 'floor' });
  });
  it('follows the observed p99 between the bounds', () => {
    expect(
      visibilityTimeout({ observedP99Seconds: 50, functionTimeoutSeconds: 10, batchWindowSeconds: 0 }),
    ).toMatchObject({ timeoutSeconds: 300, clamped: null });
  });
  it('is capped at the SQS maximum of 12 hours', () => {
    expect(
      visibilityTimeout({ observedP99Seconds: 10_000, functionTimeoutSeconds: 900, batchWindowSeconds: 300 }),
    ).toMatchObject({ timeoutSeconds: MAX_VISIBILITY_TIMEOUT_SECONDS, clamped: 'ceiling' });
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
});
