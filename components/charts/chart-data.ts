import type { MetricSeries } from '@/server/platform/platform.schema';

/** uPlot's columnar data: shared x (unix seconds) and one y column per series (null = no point). */
export function toColumns(series: MetricSeries[]): [number[], ...(number | null)[][]] {
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

/** A one-line text summary of a chart for screen readers. */
export function summarize(series: MetricSeries[]): string {
  return series
    .map((s) => {
      const last = s.points.at(-1);
      const max = s.points.reduce((m, p) => Math.max(m, p.v), 0);
      return `${s.label}: latest ${last ? last.v : 'none'}, max ${max} ${s.unit}`;
    })
    .join('; ');
}
