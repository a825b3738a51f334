import type uPlot from 'uplot';
import type { InProgress } from './chart-data';

/**
 * Draws the bucket in progress apart from the complete ones: a faded band over it and, per series,
 * a dashed, faded segment from the last complete value to the value so far.
 */
export function drawInProgress(u: uPlot, p: InProgress, colors: string[], muted: string): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const x = u.valToPos(p.x, 'x', true);
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.globalAlpha = 0.12;
  ctx.fillStyle = muted;
  const bandFrom = p.prevX === null ? x : (x + u.valToPos(p.prevX, 'x', true)) / 2;
  ctx.fillRect(bandFrom, top, left + width - bandFrom, height);
  ctx.globalAlpha = 0.6;
  ctx.setLineDash([4, 4]);
  ctx.lineWidth = 2;
  p.values.forEach((v, i) => {
    if (v === null) return;
    const y = u.valToPos(v, 'y', true);
    ctx.strokeStyle = colors[i] ?? muted;
    ctx.fillStyle = colors[i] ?? muted;
    const prev = p.prev[i];
    if (p.prevX !== null && prev !== null && prev !== undefined) {
      ctx.beginPath();
      ctx.moveTo(u.valToPos(p.prevX, 'x', true), u.valToPos(prev, 'y', true));
      ctx.lineTo(x, y);
      ctx.stroke();
    }
    ctx.beginPath();
    ctx.arc(x, y, 3, 0, 2 * Math.PI);
    ctx.stroke();
  });
  ctx.restore();
}
