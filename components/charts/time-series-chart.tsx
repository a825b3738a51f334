'use client';

import dynamic from 'next/dynamic';
import { summarize } from './chart-data';
import type { UplotChartProps } from './uplot-chart';

const UplotChart = dynamic(() => import('./uplot-chart').then((m) => m.UplotChart), {
  ssr: false,
  loading: () => <div className="h-full animate-pulse rounded bg-border/40" />,
});

/**
 * A metric chart (uPlot, loaded on demand so pages without charts do not ship it), with a
 * text summary for screen readers and an explicit empty state.
 */
export function TimeSeriesChart({
  title,
  series,
  height = 180,
  threshold,
  markers,
}: { title: string } & Omit<UplotChartProps, 'height'> & { height?: number }) {
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
