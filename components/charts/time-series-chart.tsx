'use client';

import { lazy, Suspense, useEffect, useRef, useState, type RefObject } from 'react';
import type { ChartFigureProps } from './chart-figure';

const ChartFigure = lazy(() => import('./chart-figure').then((m) => ({ default: m.ChartFigure })));

/** How far below the viewport a chart starts loading (px): it is drawn before it scrolls into view. */
const AHEAD_PX = 300;

/**
 * True once the element is within AHEAD_PX of the viewport's bottom edge (and from then on): when
 * it comes into view, or when a jump (End, a link to an anchor) scrolls past it without it ever
 * intersecting.
 */
function useNearViewport(ref: RefObject<HTMLElement | null>): boolean {
  const [near, setNear] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || near) return;
    const seen = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setNear(true), {
      rootMargin: `${AHEAD_PX}px 0px`,
    });
    const passed = () => el.getBoundingClientRect().top < window.innerHeight + AHEAD_PX && setNear(true);
    seen.observe(el);
    window.addEventListener('scroll', passed, { passive: true });
    return () => {
      seen.disconnect();
      window.removeEventListener('scroll', passed);
    };
  }, [ref, near]);
  return near;
}

function ChartPlaceholder({ title, height = 180 }: Pick<ChartFigureProps, 'title' | 'height'>) {
  return (
    <figure className="rounded border border-border bg-surface-raised p-3" aria-busy="true">
      <figcaption className="mb-1 text-sm font-semibold">{title}</figcaption>
      <div className="animate-pulse rounded bg-border/40" style={{ height }} />
    </figure>
  );
}

/**
 * A metric chart. Its code (the figure, the screen-reader summary and uPlot) is one chunk, loaded
 * when the chart comes near the viewport: a chart below the fold costs a phone nothing while the
 * page loads (evaluating uPlot and drawing are the longest tasks of a chart page). Until then,
 * and while the chunk loads, the chart's box is held at its final size.
 */
export function TimeSeriesChart(props: ChartFigureProps) {
  const box = useRef<HTMLDivElement>(null);
  const near = useNearViewport(box);
  const placeholder = <ChartPlaceholder title={props.title} height={props.height} />;
  return (
    <div ref={box}>
      {near ? (
        <Suspense fallback={placeholder}>
          <ChartFigure {...props} />
        </Suspense>
      ) : (
        placeholder
      )}
    </div>
  );
}
