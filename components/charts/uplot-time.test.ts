import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { timeAxisLabel, utcDate } from './uplot-time';

describe('chart time axis', () => {
  // A browser far from UTC: without tzDate uPlot's local getters would read 05:30 for midnight UTC.
  beforeEach(() => vi.stubEnv('TZ', 'Asia/Kolkata'));
  afterEach(() => vi.unstubAllEnvs());

  it('formats ticks and the legend in UTC whatever the browser’s time zone', () => {
    const midnightUtc = Date.parse('2026-01-01T00:00:00Z') / 1000;
    expect(new Date(midnightUtc * 1000).getHours()).not.toBe(0); // the zone really is not UTC here
    const d = utcDate(midnightUtc);
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()]).toEqual([2026, 0, 1, 0, 0]);
  });

  it('labels the axis as UTC', () => {
    expect(timeAxisLabel).toMatch(/\bUTC\b/);
  });
});
