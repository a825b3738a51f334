'use client';

import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import type { MetricSeries } from '@/server/platform/platform.schema';
import { toChartData } from './chart-data';
import { drawInProgress } from './in-progress-draw';
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

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** uPlot, sized to its container and redrawn on theme changes. Loaded only where charts render. */
const noMarkers: { at: number; label: string }[] = [];

export function UplotChart({ series, height, threshold, markers = noMarkers, now }: UplotChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let plot: uPlot | null = null;
    const { data, inProgress } = toChartData(series, now);
    const colors = series.map((_, i) => palette[i % palette.length]!);
    const build = () => {
      plot?.destroy();
      const fg = cssVar('--fg-muted');
      const grid = cssVar('--border');
      const opts: uPlot.Options = {
        width: el.clientWidth || 600,
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
          { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 56 },
        ],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: cssVar(colors[i]!),
            width: 2,
            spanGaps: false,
          })),
        ],
        hooks: {
          draw: [
            (u) => {
              const ctx = u.ctx;
              ctx.save();
              ctx.strokeStyle = cssVar('--danger');
              ctx.setLineDash([6, 4]);
              if (threshold !== undefined) {
                const y = u.valToPos(threshold, 'y', true);
                ctx.beginPath();
                ctx.moveTo(u.bbox.left, y);
                ctx.lineTo(u.bbox.left + u.bbox.width, y);
                ctx.stroke();
              }
              for (const m of markers) {
                const x = u.valToPos(m.at / 1000, 'x', true);
                if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
                ctx.beginPath();
                ctx.moveTo(x, u.bbox.top);
                ctx.lineTo(x, u.bbox.top + u.bbox.height);
                ctx.stroke();
              }
              ctx.restore();
              if (inProgress) drawInProgress(u, inProgress, colors.map(cssVar), cssVar('--fg-muted'));
            },
          ],
        },
      };
      plot = new uPlot(opts, data, el);
    };
    build();
    const resize = new ResizeObserver(() => plot?.setSize({ width: el.clientWidth || 600, height }));
    resize.observe(el);
    const theme = new MutationObserver(build);
    theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      resize.disconnect();
      theme.disconnect();
      plot?.destroy();
    };
  }, [series, height, threshold, markers, now]);
  return <div ref={box} className="w-full" />;
}
