import 'server-only';
import type { Caller } from '@/server/auth/permissions.schema';
import type { OpsContext } from '@/server/ops/context';
import type { MetricSeries } from '@/server/platform/platform.schema';
import { resolveRange, type RangeInput } from './read.schema';

/** Metric series by description id over a range (period chosen from the span unless given). */
export async function getMetrics(
  ctx: OpsContext,
  caller: Caller,
  input: RangeInput & { metrics: string | string[]; periodSeconds?: number },
  now = Date.now(),
): Promise<MetricSeries[]> {
  const r = resolveRange(input, now);
  const metrics = Array.isArray(input.metrics) ? input.metrics : input.metrics.split(',').filter(Boolean);
  return ctx.platform.getMetricSeries(caller, {
    metrics,
    from: r.from,
    to: r.to,
    periodSeconds: input.periodSeconds ?? r.periodSeconds,
  });
}
