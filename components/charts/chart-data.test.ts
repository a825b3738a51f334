import { describe, expect, it } from 'vitest';
import { summarize, toColumns } from './chart-data';

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
});
