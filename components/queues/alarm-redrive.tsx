'use client';

import { alarmKind } from '@/components/alarms/alarm-kind';
import { useAlarmQuery } from '@/components/alarms/data/alarm-query';
import { can, type Role } from '@/infra/platform/roles';
import { useQueuesQuery } from './data/queues-query';
import { LazyRedriveAction } from './lazy-redrive-action';

/**
 * The redrive for a DLQ-depth alarm (alarm detail, incident view): reads the alarm and the
 * queue depths from the read side's cached queries. Diagnosis first: the form stays collapsed
 * behind its "Redrive DLQ" button until asked for, even while the alarm fires.
 */
export function AlarmRedrive({ role, alarm }: { role: Role; alarm: string }) {
  const allowed = can(role, 'queue.redrive');
  const detail = useAlarmQuery(alarm);
  const queues = useQueuesQuery();
  const a = detail.data?.alarm;
  if (!allowed || !a || a.resource.kind !== 'queue' || alarmKind(a) !== 'dlq') return null;
  const pair = queues.data?.find((q) => q.id === a.resource.id);
  if (!pair) return null;
  return <LazyRedriveAction role={role} queueId={pair.id} depth={pair.dlq.visible + pair.dlq.inFlight} />;
}
