import { describe, expect, it } from 'vitest';
import { bucketSeconds, inProgressNote, inProgressStart, summarize, toChartData, toColumns } from './chart-data';

const s = (id: string, points: [string, number][]) => ({
  id,
  label: id,
  unit: 'Count',
  points: points.map(([t, v]) => ({ t, v })),
});

describe('chart data', () => {
  it('aligns series on the union of their timestamps with gaps as null', () => {
    const [xs, a, b] = toColumns([
      s('a', [
        ['2026-01-01T00:00:00Z', 1],
        ['2026-01-01T00:01:00Z', 2],
      ]),
      s('b', [
        ['2026-01-01T00:01:00Z', 5],
        ['2026-01-01T00:02:00Z', 6],
      ]),
    ]);
    expect(xs).toEqual([1767225600, 1767225660, 1767225720]);
    expect(a).toEqual([1, 2, null]);
    expect(b).toEqual([null, 5, 6]);
  });

  it('summarizes the latest and largest value of each series', () => {
    expect(
      summarize([
        s('depth', [
          ['2026-01-01T00:00:00Z', 3],
          ['2026-01-01T00:01:00Z', 1],
        ]),
      ]),
    ).toBe('depth: latest 1, max 3 Count');
  });

  const minute = Date.parse('2026-01-01T00:02:00Z');
  const throughput = s('events', [
    ['2026-01-01T00:00:00Z', 300],
    ['2026-01-01T00:01:00Z', 310],
    ['2026-01-01T00:02:00Z', 12],
  ]);

  it('knows a bucket is in progress until its period has ended', () => {
    const xs = toColumns([throughput])[0];
    expect(bucketSeconds(xs)).toBe(60);
    expect(bucketSeconds([1767225600, 1767225900])).toBe(300);
    expect(inProgressStart(xs, minute + 10_000)).toBe(minute / 1000);
    expect(inProgressStart(xs, minute + 59_999)).toBe(minute / 1000);
    expect(inProgressStart(xs, minute + 60_000)).toBeNull();
    expect(inProgressStart([], minute)).toBeNull();
  });

  it('keeps the bucket in progress out of the plotted datapoints, so a count never dips at the end', () => {
    const { data, inProgress } = toChartData([throughput], minute + 10_000);
    expect(data[1]).toEqual([300, 310, null]);
    expect(inProgress).toEqual({ x: minute / 1000, prevX: minute / 1000 - 60, values: [12], prev: [310] });
    const later = toChartData([throughput], minute + 60_000);
    expect(later.data[1]).toEqual([300, 310, 12]);
    expect(later.inProgress).toBeNull();
  });

  it('tells screen readers the latest complete value and what the bucket in progress holds so far', () => {
    expect(summarize([throughput], minute + 10_000)).toBe(
      'events: latest 310, max 310 Count, 12 so far in the bucket in progress (from 00:02 UTC)',
    );
    expect(inProgressNote([throughput], minute + 10_000)).toMatch(/from 00:02 UTC\) is in progress/);
    expect(inProgressNote([throughput], minute + 60_000)).toBeNull();
  });
});
