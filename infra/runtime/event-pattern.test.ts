import { describe, expect, it } from 'vitest';
import { matchesPattern } from './event-pattern';

const event = {
  source: 'transaction.processing',
  'detail-type': 'TransactionSubmitted',
  detail: { amount: 500, currency: 'USD', tags: ['a', 'b'] },
};

describe('EventBridge event patterns', () => {
  it('matches exact values in any position of the list and nested fields', () => {
    expect(
      matchesPattern(
        { source: ['payment.validation', 'transaction.processing'], detail: { currency: ['USD'] } },
        event,
      ),
    ).toBe(true);
    expect(matchesPattern({ source: ['payment.validation'] }, event)).toBe(false);
  });
  it('supports prefix, anything-but, numeric and exists', () => {
    expect(matchesPattern({ source: [{ prefix: 'transaction.' }] }, event)).toBe(true);
    expect(matchesPattern({ detail: { currency: [{ 'anything-but': ['EUR'] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { amount: [{ numeric: ['>', 100, '<=', 500] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { amount: [{ numeric: ['>', 500] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { missing: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { missing: [{ exists: true }] } }, event)).toBe(false);
  });
  it('matches an array field when any element matches', () => {
    expect(matchesPattern({ detail: { tags: ['b'] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { tags: ['c'] } }, event)).toBe(false);
  });
});
