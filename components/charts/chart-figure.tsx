'use client';

import type { MetricSeries } from '@/server/platform/platform.schema';
import { inProgressNote, summarize } from './chart-data';
import { UplotChart, type UplotChartProps } from './uplot-chart';

export type ChartFigureProps = { title: string } & Omit<UplotChartProps, 'height' | 'now'> & {
    height?: number;
    /** The time the data is read at (unix ms); by default when the series arrive. */
    now?: number;
  };

/** When each series array was first rendered: each poll brings new arrays, so this is when the data arrived. */
const seenAt = new WeakMap<MetricSeries[], number>();
function firstSeenAt(series: MetricSeries[]): number {
  let at = seenAt.get(series);
  if (at === undefined) seenAt.set(series, (at = Date.now()));
  return at;
}

/**
 * A metric chart (uPlot) with a text summary for screen readers and an explicit empty state. A
 * last bucket still in progress is drawn apart (dashed, faded) and said so under the chart.
 */
export function ChartFigure({ title, series, height = 180, threshold, markers, now: fixedNow }: ChartFigureProps) {
  const now = fixedNow ?? firstSeenAt(series);
  const empty = series.every((s) => s.points.length === 0);
  const note = empty ? null : inProgressNote(series, now);
  return (
    <figure className="rounded border border-border bg-surface-raised p-3">
      <figcaption className="mb-1 text-sm font-semibold">{title}</figcaption>
      {empty ? (
        <p className="flex items-center justify-center text-sm text-fg-muted" style={{ height }}>
          No data points in this range.
        </p>
      ) : (
        <div role="img" aria-label={`${title}. ${summarize(series, now)}`} style={{ minHeight: height }}>
          <UplotChart series={series} height={height} threshold={threshold} markers={markers} now={now} />
        </div>
      )}
      {note ? (
        <p className="mt-1 text-xs text-fg-muted" data-testid="chart-in-progress">
          {note}
        </p>
      ) : null}
    </figure>
  );
}
