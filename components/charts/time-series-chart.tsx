'use client';

import { clientOnly } from '@/components/ui/lazy-leaf';
import type { ChartFigureProps } from './chart-figure';

/**
 * A metric chart. Its code (the figure, the screen-reader summary and uPlot) is one chunk that
 * starts downloading when the page's module evaluates, in parallel with the page's data
 * request, so pages do not carry chart code in their first-load JS. Until it arrives the
 * chart's box is held at its final size.
 */
export const TimeSeriesChart = clientOnly<ChartFigureProps>(() => import('./chart-figure').then((m) => m.ChartFigure), {
  preload: true,
  fallback: ({ title, height = 180 }) => (
    <figure className="rounded border border-border bg-surface-raised p-3" aria-busy="true">
      <figcaption className="mb-1 text-sm font-semibold">{title}</figcaption>
      <div className="animate-pulse rounded bg-border/40" style={{ height }} />
    </figure>
  ),
});
