import 'server-only';
import { alarmsFor, metricsFor, stages } from '@/infra/platform/description';
import type { Alarm } from '@/server/platform/platform.schema';

/**
 * The platform description's metric id of an alarm's metric (what getMetricSeries takes):
 * by the alarm definition whose name the alarm carries, else by the CloudWatch metric
 * (namespace, name, dimensions) it watches. Pure.
 */
export function metricIdOf(alarm: Pick<Alarm, 'name' | 'metric'>): string | null {
  for (const stage of stages) {
    const prefix = `ledgerline-${stage}-`;
    if (!alarm.name.startsWith(prefix)) continue;
    const def = alarmsFor(stage).find((a) => `${prefix}${a.suffix}` === alarm.name);
    if (def) return def.metricId;
  }
  for (const stage of stages) {
    const match = metricsFor(stage).find(
      (m) =>
        m.namespace === alarm.metric.namespace &&
        m.metricName === alarm.metric.name &&
        Object.entries(m.dimensions).every(([k, v]) => alarm.metric.dimensions[k] === v),
    );
    if (match) return match.id;
  }
  return null;
}
