'use client';

import { summarize } from './chart-data';
import { UplotChart, type UplotChartProps } from './uplot-chart';

export type ChartFigureProps = { title: string } & Omit<UplotChartProps, 'height'> & { height?: number };

/** A metric chart (uPlot) with a text summary for screen readers and an explicit empty state. */
export function ChartFigure({ title, series, height = 180, threshold, markers }: ChartFigureProps) {
  const empty = series.every((s) => s.points.length === 0);
  return (
    <figure className="rounded border border-border bg-surface-raised p-3">
      <figcaption className="mb-1 text-sm font-semibold">{title}</figcaption>
      {empty ? (
        <p className="flex items-center justify-center text-sm text-fg-muted" style={{ height }}>
          No data points in this range.
        </p>
      ) : (
        <div role="img" aria-label={`${title}. ${summarize(series)}`} style={{ minHeight: height }}>
          <UplotChart series={series} height={height} threshold={threshold} markers={markers} />
        </div>
      )}
    </figure>
  );
}
