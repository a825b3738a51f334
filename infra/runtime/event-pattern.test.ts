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

  describe('anything-but (docs: "Comparison operators for use in event patterns")', () => {
    const file = (name: string) => ({ detail: { file: name } });
    it('with suffix excludes values ending with the suffix, case-sensitively', () => {
      const p = { detail: { file: [{ 'anything-but': { suffix: '.png' } }] } };
      expect(matchesPattern(p, file('a.png'))).toBe(false);
      expect(matchesPattern(p, file('a.jpg'))).toBe(true);
      expect(matchesPattern(p, file('a.PNG'))).toBe(true);
    });
    it('with prefix excludes values starting with the prefix, case-sensitively', () => {
      const p = { detail: { currency: [{ 'anything-but': { prefix: 'US' } }] } };
      expect(matchesPattern(p, event)).toBe(false);
      expect(matchesPattern(p, { detail: { currency: 'usd' } })).toBe(true);
    });
    it('with equals-ignore-case excludes the value in any casing, as a string or a list', () => {
      expect(
        matchesPattern({ detail: { currency: [{ 'anything-but': { 'equals-ignore-case': 'usd' } }] } }, event),
      ).toBe(false);
      expect(
        matchesPattern(
          { detail: { currency: [{ 'anything-but': { 'equals-ignore-case': 'usd' } }] } },
          {
            detail: { currency: 'EUR' },
          },
        ),
      ).toBe(true);
      const list = { detail: { currency: [{ 'anything-but': { 'equals-ignore-case': ['eur', 'Usd'] } }] } };
      expect(matchesPattern(list, event)).toBe(false);
      expect(matchesPattern(list, { detail: { currency: 'Eur' } })).toBe(false);
      expect(matchesPattern(list, { detail: { currency: 'GBP' } })).toBe(true);
    });
    it('does not match a field that is missing or is an object (no leaf value)', () => {
      expect(matchesPattern({ detail: { missing: [{ 'anything-but': 'x' }] } }, event)).toBe(false);
      expect(matchesPattern({ detail: [{ 'anything-but': 'x' }] }, event)).toBe(false);
    });
  });

  it('exists only sees leaf values: an object-valued field does not exist, an array of objects neither', () => {
    const ev = { detail: { nested: { x: 1 }, items: [{ sku: 'A' }], empty: null } };
    expect(matchesPattern({ detail: { nested: [{ exists: true }] } }, ev)).toBe(false);
    expect(matchesPattern({ detail: { nested: [{ exists: false }] } }, ev)).toBe(true);
    expect(matchesPattern({ detail: { items: [{ exists: true }] } }, ev)).toBe(false);
    expect(matchesPattern({ detail: { nested: { x: [{ exists: true }] } } }, ev)).toBe(true);
    expect(matchesPattern({ detail: { empty: [{ exists: true }] } }, ev)).toBe(true);
    expect(matchesPattern({ absent: { x: [{ exists: false }] } }, ev)).toBe(true);
    expect(matchesPattern({ absent: { x: [{ exists: true }] } }, ev)).toBe(false);
  });

  it('matches a nested pattern against any object of an array field', () => {
    const ev = { detail: { items: [{ sku: 'A' }, { sku: 'B' }] } };
    expect(matchesPattern({ detail: { items: { sku: ['B'] } } }, ev)).toBe(true);
    expect(matchesPattern({ detail: { items: { sku: ['C'] } } }, ev)).toBe(false);
  });

  it('supports prefix and suffix with equals-ignore-case', () => {
    expect(matchesPattern({ source: [{ prefix: { 'equals-ignore-case': 'TRANSACTION.' } }] }, event)).toBe(true);
    expect(matchesPattern({ source: [{ suffix: { 'equals-ignore-case': '.PROCESSING' } }] }, event)).toBe(true);
    expect(matchesPattern({ source: [{ prefix: { 'equals-ignore-case': 'payment.' } }] }, event)).toBe(false);
    expect(matchesPattern({ source: [{ prefix: 'TRANSACTION.' }] }, event)).toBe(false);
  });

  it.each([
    ['anything-but wildcard', { detail: { currency: [{ 'anything-but': { wildcard: '*S*' } }] } }],
    ['anything-but prefix list', { detail: { currency: [{ 'anything-but': { prefix: ['US', 'EU'] } }] } }],
    ['anything-but boolean', { detail: { currency: [{ 'anything-but': true }] } }],
    ['anything-but with two operators', { detail: { currency: [{ 'anything-but': { prefix: 'U', suffix: 'D' } }] } }],
    ['wildcard', { source: [{ wildcard: 'transaction.*' }] }],
    ['cidr', { source: [{ cidr: '10.0.0.0/24' }] }],
    ['two operators in one matcher', { source: [{ prefix: 'transaction', suffix: 'processing' }] }],
    ['numeric with an unknown operator', { detail: { amount: [{ numeric: ['!=', 1] }] } }],
    ['exists with a non-boolean', { detail: { amount: [{ exists: 'yes' }] } }],
    ['unsupported operator on a missing field', { detail: { missing: [{ 'anything-but': { wildcard: 'x*' } }] } }],
  ])('throws "unsupported event pattern matcher" for %s instead of matching silently', (_name, pattern) => {
    expect(() => matchesPattern(pattern as never, event)).toThrow(/unsupported event pattern matcher/);
  });
});
