/**
 * The saga definition's derived answers, which the ASL generator and the embedded engine share.
 */
import { describe, expect, it } from 'vitest';
import {
  compensationsFor,
  retryDelayOf,
  retryWindowSeconds,
  sagaDefinition,
  STATE_TIMEOUT_MARGIN_SECONDS,
  stateTimeoutSeconds,
} from './definition';

describe('saga definition', () => {
  it('compensates the failed step itself first, then the completed steps newest first', () => {
    expect(compensationsFor('ValidatePayment')).toEqual([]);
    expect(compensationsFor('ReserveFunds')).toEqual(['ReleaseFunds']);
    expect(compensationsFor('PostLedger')).toEqual(['ReverseLedger', 'ReleaseFunds']);
    expect(compensationsFor('SettlePayment')).toEqual(['VoidSettlement', 'ReverseLedger', 'ReleaseFunds']);
    expect(compensationsFor('Notify')).toEqual(['VoidSettlement', 'ReverseLedger', 'ReleaseFunds']);
  });

  it('waits on a task longer than its function may run (init phase and round trip included)', () => {
    expect(STATE_TIMEOUT_MARGIN_SECONDS).toBeGreaterThan(10); // Lambda's init phase alone may take 10 s
    for (const s of sagaDefinition.steps)
      expect(stateTimeoutSeconds(s.timeoutSeconds)).toBeGreaterThan(s.timeoutSeconds);
  });

  it('adds up the backoff of every retry of a policy, capped per delay', () => {
    const policy = { errors: ['E'], intervalSeconds: 2, maxAttempts: 5, backoffRate: 3, maxDelaySeconds: 10 };
    expect([1, 2, 3, 4].map((n) => retryDelayOf(policy, n))).toEqual([2, 6, 10, 10]);
    expect(retryWindowSeconds(policy)).toBe(28);
    expect(retryWindowSeconds({ ...policy, maxDelaySeconds: undefined })).toBe(2 + 6 + 18 + 54);
  });
});
