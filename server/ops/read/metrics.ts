import 'server-only';
import type { Caller } from '@/server/auth/permissions.schema';
import { getPlatform } from '@/server/platform';
import type { MetricSeries } from '@/server/platform/platform.schema';
import { assertCanRead } from './authorize';
import { resolveRange, type RangeInput } from './read.schema';

/** Metric series by description id over a range (period chosen from the span unless given). */
export async function getMetrics(
  caller: Caller,
  input: RangeInput & { metrics: string | string[]; periodSeconds?: number },
  now = Date.now(),
): Promise<MetricSeries[]> {
  assertCanRead(caller);
  const r = resolveRange(input, now);
  const metrics = Array.isArray(input.metrics) ? input.metrics : input.metrics.split(',').filter(Boolean);
  return (await getPlatform()).getMetricSeries(caller, {
    metrics,
    from: r.from,
    to: r.to,
    periodSeconds: input.periodSeconds ?? r.periodSeconds,
  });
}
