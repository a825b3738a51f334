import type { Alarm } from '@/server/platform/platform.schema';

/**
 * What an alarm's first move is. 'dlq': messages of a queue pair's DLQ, so redrive them once
 * the cause is fixed; 'incident': anything else (a downstream outage, failing sagas, a slow or
 * erroring processor), so diagnose on the incident view first. A replay is never the first move:
 * during a downstream outage it only feeds more transactions into the failing step.
 */
export type AlarmKind = 'dlq' | 'incident';

export function alarmKind(alarm: Pick<Alarm, 'name' | 'resource'>): AlarmKind {
  return alarm.resource.kind === 'queue' && alarm.name.endsWith(`-${alarm.resource.id}-dlq-depth`) ? 'dlq' : 'incident';
}
