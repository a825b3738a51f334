import type { MetricSeries } from '@/server/platform/platform.schema';

type Columns = [number[], ...(number | null)[][]];

/** uPlot's columnar data: shared x (unix seconds) and one y column per series (null = no point). */
export function toColumns(series: MetricSeries[]): Columns {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => Math.floor(Date.parse(p.t) / 1000))))].sort(
    (a, b) => a - b,
  );
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const col: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    for (const p of s.points) col[index.get(Math.floor(Date.parse(p.t) / 1000))!] = p.v;
    return col;
  });
  return [xs, ...ys];
}

/** The width (s) of a chart's buckets: the smallest gap between two timestamps; 60 with fewer than two. */
export function bucketSeconds(xs: readonly number[]): number {
  let gap = Infinity;
  for (let i = 1; i < xs.length; i++) gap = Math.min(gap, xs[i]! - xs[i - 1]!);
  return Number.isFinite(gap) && gap > 0 ? gap : 60;
}

/**
 * The start (unix s) of the last bucket when it has not ended at `nowMs`: the bucket in progress.
 * Its value covers part of its period only (a count dips toward 0), so it is never drawn as a
 * complete datapoint (the rule the alarms follow: complete periods only).
 */
export function inProgressStart(xs: readonly number[], nowMs: number): number | null {
  const last = xs.at(-1);
  if (last === undefined) return null;
  return (last + bucketSeconds(xs)) * 1000 > nowMs ? last : null;
}

export interface InProgress {
  /** Start of the bucket in progress and of the bucket before it (unix s; null when it is the only one). */
  x: number;
  prevX: number | null;
  /** Per series: the value so far, and the last complete value (the dashed segment joins them). */
  values: (number | null)[];
  prev: (number | null)[];
}

/** uPlot's columns without the bucket in progress (its values null), and that bucket apart. */
export function toChartData(series: MetricSeries[], nowMs: number): { data: Columns; inProgress: InProgress | null } {
  const [xs, ...ys] = toColumns(series);
  const x = inProgressStart(xs, nowMs);
  if (x === null) return { data: [xs, ...ys], inProgress: null };
  const i = xs.length - 1;
  const inProgress: InProgress = {
    x,
    prevX: i > 0 ? xs[i - 1]! : null,
    values: ys.map((col) => col[i] ?? null),
    prev: ys.map((col) => (i > 0 ? (col[i - 1] ?? null) : null)),
  };
  return { data: [xs, ...ys.map((col) => col.map((v, k) => (k === i ? null : v)))], inProgress };
}

const hhmm = (unixSeconds: number) => `${new Date(unixSeconds * 1000).toISOString().slice(11, 16)} UTC`;

/**
 * A one-line text summary of a chart for screen readers. With `nowMs`, "latest" is the last
 * complete bucket and the bucket in progress is named as such.
 */
export function summarize(series: MetricSeries[], nowMs?: number): string {
  const open = nowMs === undefined ? null : inProgressStart(toColumns(series)[0], nowMs);
  return series
    .map((s) => {
      const complete = open === null ? s.points : s.points.filter((p) => Math.floor(Date.parse(p.t) / 1000) !== open);
      const last = complete.at(-1);
      const max = complete.reduce((m, p) => Math.max(m, p.v), 0);
      const partial = open === null ? undefined : s.points.find((p) => Math.floor(Date.parse(p.t) / 1000) === open);
      const note = partial ? `, ${partial.v} so far in the bucket in progress (from ${hhmm(open!)})` : '';
      return `${s.label}: latest ${last ? last.v : 'none'}, max ${max} ${s.unit}${note}`;
    })
    .join('; ');
}

/** A caption for the bucket in progress, or null when the chart's last bucket is complete. */
export function inProgressNote(series: MetricSeries[], nowMs: number): string | null {
  const open = inProgressStart(toColumns(series)[0], nowMs);
  return open === null
    ? null
    : `The last bucket (from ${hhmm(open)}) is in progress: drawn dashed, not as a datapoint.`;
}
