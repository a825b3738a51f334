import { describe, expect, it } from 'vitest';
import { formatAge, formatCount, formatDuration, formatMoney, formatNumber, formatTime, prettyJson } from './format';

describe('console formats', () => {
  it('shows ages in the largest sensible units', () => {
    expect(formatAge(0)).toBe('—');
    expect(formatAge(42)).toBe('42 s');
    expect(formatAge(125)).toBe('2 min 5 s');
    expect(formatAge(7260)).toBe('2 h 1 min');
    expect(formatAge(90_000)).toBe('1 d 1 h');
  });

  it('measures a duration between two times and shows a dash when one is missing', () => {
    expect(formatDuration('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.250Z')).toBe('250 ms');
    expect(formatDuration('2026-01-01T00:00:00.000Z', null)).toBe('—');
  });

  it('shows times in UTC to the second', () => {
    expect(formatTime('2026-03-04T05:06:07.890Z')).toBe('2026-03-04 05:06:07 UTC');
  });

  it('shows money from minor units in major units with its currency code', () => {
    expect(formatMoney(45577, 'USD')).toBe('USD 455.77');
    expect(formatMoney(123456, 'EUR')).toBe('EUR 1,234.56');
    expect(formatMoney(5, 'GBP')).toBe('GBP 0.05');
    expect(formatMoney(0, 'USD')).toBe('USD 0.00');
  });

  it('uses each currency’s own minor digits: none for JPY, three for BHD', () => {
    expect(formatMoney(45577, 'JPY')).toBe('JPY 45,577');
    expect(formatMoney(1234, 'BHD')).toBe('BHD 1.234');
  });

  it('keeps the sign of a negative amount (a reversal)', () => {
    expect(formatMoney(-45577, 'USD')).toBe('-USD 455.77');
    expect(formatMoney(-455, 'JPY')).toBe('-JPY 455');
  });

  it('never guesses the decimal point of a malformed currency code', () => {
    expect(formatMoney(45577, 'dollars')).toBe('45577 minor units dollars');
  });

  it('pretty-prints JSON bodies and leaves other text alone', () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('not json')).toBe('not json');
  });
});

describe('counts', () => {
  it('writes every count as en-US does, integers without Intl', () => {
    const values = [0, 7, -7, 999, 1000, -1000, 12_345, 999_999, 1_000_000, -98_765_432, Number.MAX_SAFE_INTEGER];
    for (const v of values) expect(formatCount(v)).toBe(v.toLocaleString('en-US'));
    expect(formatCount(1234.5)).toBe('1,234.5');
    expect(formatCount(1e21)).toBe((1e21).toLocaleString('en-US'));
  });
});

describe('numbers', () => {
  it('writes numbers as en-US Intl does by default (grouped, at most three decimals), without Intl', () => {
    const en = new Intl.NumberFormat('en-US');
    const fixed = [
      0,
      0.5,
      0.0625,
      -0.0625,
      1.0005,
      2.675,
      0.1 + 0.2,
      12.5,
      99.9995,
      1234.5678,
      -98765.4321,
      0.0004,
      -0.0004,
    ];
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const sampled = Array.from({ length: 5000 }, (_, i) => random() * 10 ** ((i % 19) - 4));
    for (const v of [...fixed, ...sampled, 1e21, -1e22, Number.NaN, Infinity, -Infinity]) {
      expect([v, formatNumber(v)]).toEqual([v, en.format(v)]);
    }
    // Except that negative zero is a plain 0 (Intl writes "-0").
    expect(formatNumber(-0)).toBe('0');
  });
});
