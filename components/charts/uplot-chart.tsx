'use client';

import 'uplot/dist/uPlot.min.css';
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import { formatNumber } from '@/components/ui/format';
import type { MetricSeries } from '@/server/platform/platform.schema';
import { toChartData } from './chart-data';
import { drawInProgress } from './in-progress-draw';
import { inOwnTask } from './own-task';
import { timeAxisLabel, utcDate } from './uplot-time';

const palette = ['--accent', '--danger', '--ok', '--warn', '--fg-muted'];

export interface UplotChartProps {
  series: MetricSeries[];
  height: number;
  /** A horizontal threshold line (alarms). */
  threshold?: number;
  /** Vertical markers (e.g. the alarm's state change), unix ms. */
  markers?: { at: number; label: string }[];
  /** The time the data is read at (unix ms): a last bucket not ended by then is drawn as in progress. */
  now: number;
}

/**
 * The theme's colours by variable name, read with one getComputedStyle per build: each read of a
 * computed style after a DOM change forces a style recalculation, and the draw hook runs on every
 * redraw (a long task on a phone when every colour is read on its own).
 */
function themeColors(names: readonly string[]): (name: string) => string {
  const style = getComputedStyle(document.documentElement);
  const colors = new Map(names.map((name) => [name, style.getPropertyValue(name).trim() || '#888']));
  return (name) => colors.get(name) ?? '#888';
}

const noMarkers: { at: number; label: string }[] = [];

/**
 * The y axis's and the legend's numbers as the console writes numbers (en-US, formatNumber), not
 * uPlot's default (the browser's locale, through an Intl object whose creation loads ICU's locale
 * data: tools/build/uplot-lazy-intl.cjs keeps uPlot from creating it unless used).
 */
const axisValues = (_: uPlot, splits: number[]) => splits.map((v) => (v == null ? '' : formatNumber(v)));
const legendValue = (_: uPlot, v: number | null, _series: number, idx: number | null) =>
  idx == null ? '--' : v == null ? '' : formatNumber(v);

/**
 * uPlot, sized to its container and rebuilt on theme changes. The plot is set up in a task of its
 * own and drawn in the next (a page's charts take turns, after the page has hydrated), and new
 * data is drawn into the same plot (setData), so a poll does not rebuild every chart.
 */
export function UplotChart({ series, height, threshold, markers = noMarkers, now }: UplotChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const chart = useMemo(() => toChartData(series, now), [series, now]);
  // What the draw hook and a rebuild read: the latest props, without rebuilding the plot.
  const latest = useRef({ series, chart, threshold, markers });
  // The plot is rebuilt only when its series (their labels, hence colours and legend) change.
  const labels = series.map((s) => s.label).join('\n');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // The width comes from the ResizeObserver (read after the browser's own layout): reading
    // el.clientWidth here would force a layout per chart.
    let width = 0;
    // Besides the drawn plot (plot.current): one set up but not drawn yet, and the task that will draw it.
    let pending: uPlot | null = null;
    let cancelDraw: (() => void) | null = null;
    const destroyPlots = () => {
      cancelDraw?.();
      cancelDraw = null;
      pending?.destroy();
      pending = null;
      plot.current?.destroy();
      plot.current = null;
    };
    const build = () => {
      destroyPlots();
      const { series: current, chart: first } = latest.current;
      const cssVar = themeColors([...palette, '--border', '--danger']);
      const fg = cssVar('--fg-muted');
      const grid = cssVar('--border');
      const colors = current.map((_, i) => cssVar(palette[i % palette.length]!));
      const opts: uPlot.Options = {
        width: width || 600,
        height,
        legend: { show: true },
        tzDate: utcDate,
        axes: [
          {
            stroke: fg,
            grid: { stroke: grid, width: 1 },
            ticks: { stroke: grid },
            label: timeAxisLabel,
            labelSize: 20,
          },
          { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 56, values: axisValues },
        ],
        series: [
          {},
          ...current.map((s, i) => ({
            label: s.label,
            stroke: colors[i]!,
            width: 2,
            spanGaps: false,
            value: legendValue,
          })),
        ],
        hooks: {
          draw: [
            (u) => {
              const { threshold: line, markers: marks, chart: drawn } = latest.current;
              const ctx = u.ctx;
              ctx.save();
              ctx.strokeStyle = cssVar('--danger');
              ctx.setLineDash([6, 4]);
              if (line !== undefined) {
                const y = u.valToPos(line, 'y', true);
                ctx.beginPath();
                ctx.moveTo(u.bbox.left, y);
                ctx.lineTo(u.bbox.left + u.bbox.width, y);
                ctx.stroke();
              }
              for (const m of marks) {
                const x = u.valToPos(m.at / 1000, 'x', true);
                if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
                ctx.beginPath();
                ctx.moveTo(x, u.bbox.top);
                ctx.lineTo(x, u.bbox.top + u.bbox.height);
                ctx.stroke();
              }
              ctx.restore();
              if (drawn.inProgress) drawInProgress(u, drawn.inProgress, colors, fg);
            },
          ],
        },
      };
      // Set up (series, axes, the legend's DOM) in this task, and the first draw (scales, axes
      // sizing, the canvas: most of a chart's time) in the next: on a phone the two together
      // were one task of 70-110 ms, of which Total Blocking Time counts all over 50 ms.
      new uPlot(opts, first.data, (u, init) => {
        const firstDraw = init as () => void;
        pending = u;
        cancelDraw = inOwnTask(() => {
          pending = null;
          cancelDraw = null;
          el.appendChild(u.root);
          firstDraw();
          plot.current = u;
          // What changed while the draw waited: the container's width, the data.
          if (width && width !== opts.width) u.setSize({ width, height });
          if (latest.current.chart !== first) u.setData(latest.current.chart.data);
        });
      });
    };
    let cancel: (() => void) | null = null;
    const resize = new ResizeObserver(([entry]) => {
      width = Math.round(entry?.contentRect.width ?? 0);
      if (cancel === null) cancel = inOwnTask(build);
      else plot.current?.setSize({ width: width || 600, height });
    });
    resize.observe(el);
    const theme = new MutationObserver(build);
    theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      cancel?.();
      resize.disconnect();
      theme.disconnect();
      destroyPlots();
    };
  }, [labels, height]);

  useEffect(() => {
    latest.current = { series, chart, threshold, markers };
    plot.current?.setData(chart.data);
  }, [series, chart, threshold, markers]);

  return <div ref={box} className="w-full" />;
}
