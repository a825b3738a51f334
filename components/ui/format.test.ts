import { describe, expect, it } from 'vitest';
import { formatAge, formatAmount, formatDuration, formatTime, prettyJson } from './format';

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

  it('shows times in UTC to the second and amounts in major units', () => {
    expect(formatTime('2026-03-04T05:06:07.890Z')).toBe('2026-03-04 05:06:07 UTC');
    expect(formatAmount(123456, 'EUR')).toBe('1,234.56 EUR');
  });

  it('pretty-prints JSON bodies and leaves other text alone', () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('not json')).toBe('not json');
  });
});
