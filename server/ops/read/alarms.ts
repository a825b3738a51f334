import 'server-only';
import type { Caller } from '@/server/auth/permissions.schema';
import type { OpsContext } from '@/server/ops/context';
import { staleAsOf } from '@/server/platform/freshness.schema';
import type { ListAlarmsInput } from '@/server/platform/inputs.schema';
import type { Alarm } from '@/server/platform/platform.schema';
import { PlatformError } from '@/server/platform/port';
import { metricIdOf } from './metric-ids';
import type { AlarmDetail } from './read.schema';

const stateOrder: Record<Alarm['state'], number> = { ALARM: 0, INSUFFICIENT_DATA: 1, OK: 2 };

/** Alarms, firing first, then by most recent state change. */
export async function listAlarms(ctx: OpsContext, caller: Caller, input: ListAlarmsInput): Promise<Alarm[]> {
  const platform = ctx.platform;
  const alarms = await platform.listAlarms(caller, input);
  return [...alarms].sort((a, b) => stateOrder[a.state] - stateOrder[b.state] || b.since.localeCompare(a.since));
}

/** One alarm, its state history and its metric around the last state change. */
export async function getAlarmDetail(
  ctx: OpsContext,
  caller: Caller,
  input: { name: string; aroundMinutes: number },
  now = Date.now(),
): Promise<AlarmDetail> {
  const platform = ctx.platform;
  const found = await platform.getAlarm(caller, input.name);
  if (!found) throw new PlatformError('NotFound', `No alarm named ${input.name}`, 'name');
  const around = input.aroundMinutes * 60_000;
  const since = Date.parse(found.alarm.since);
  const from = new Date(since - around).toISOString();
  const to = new Date(Math.min(now, since + around)).toISOString();
  const metricId = metricIdOf(found.alarm);
  const series = metricId
    ? await platform.getMetricSeries(caller, {
        metrics: [metricId],
        from,
        to,
        periodSeconds: Math.max(60, found.alarm.metric.periodSeconds),
      })
    : [];
  const history = [...found.history].sort((a, b) => b.timestamp.localeCompare(a.timestamp));
  // A read-cache answer marks the alarm's wrapper ({ alarm, history }), which is not passed on.
  const asOf = staleAsOf([found, series]);
  return {
    ...(asOf ? { freshness: { stale: true as const, asOf } } : {}),
    alarm: found.alarm,
    history,
    window: { from, to },
    series,
  };
}
