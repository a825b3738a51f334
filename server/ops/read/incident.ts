import 'server-only';
import type { Caller } from '@/server/auth/permissions.schema';
import type { OpsContext } from '@/server/ops/context';
import type { AlarmHistoryItem, DeadLetterMessage, QueuePair, SagaSummary } from '@/server/platform/platform.schema';
import { PlatformError } from '@/server/platform/port';
import { metricIdOf } from './metric-ids';
import type { Incident, IncidentEvent } from './read.schema';

/** Each correlated list is one bounded page. */
export const INCIDENT_PAGE = 50;
const LEAD_MS = 15 * 60_000;
const TAIL_MS = 5 * 60_000;

/** The incident's window: the alarm's last ALARM episode, from 15 min before it to 5 min after it (or now). */
export function incidentWindow(
  since: string,
  state: string,
  history: AlarmHistoryItem[],
  now: number,
): { from: string; to: string } {
  const asc = [...history].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  let start = Date.parse(since);
  let end = now;
  if (state !== 'ALARM') {
    const lastFiring = asc.filter((h) => h.to === 'ALARM').at(-1);
    if (lastFiring) {
      start = Date.parse(lastFiring.timestamp);
      const cleared = asc.find((h) => h.from === 'ALARM' && h.timestamp > lastFiring.timestamp);
      end = cleared ? Math.min(now, Date.parse(cleared.timestamp) + TAIL_MS) : now;
    }
  }
  return { from: new Date(start - LEAD_MS).toISOString(), to: new Date(Math.max(end, start)).toISOString() };
}

function pickQueue(kind: string, id: string, queues: QueuePair[]): QueuePair | null {
  if (kind === 'queue') return queues.find((q) => q.id === id) ?? null;
  return queues.find((q) => q.dlq.visible > 0) ?? queues[0] ?? null;
}

export function buildTimeline(
  alarmName: string,
  history: AlarmHistoryItem[],
  deadLetters: DeadLetterMessage[],
  sagas: SagaSummary[],
): IncidentEvent[] {
  const alarmHref = `/alarms/${encodeURIComponent(alarmName)}`;
  const events: IncidentEvent[] = [
    ...history.map((h): IncidentEvent => ({
      at: h.timestamp,
      kind: 'alarm',
      title: `Alarm ${h.from} → ${h.to}`,
      detail: h.reason,
      transactionId: null,
      href: alarmHref,
    })),
    ...deadLetters.map((m): IncidentEvent => ({
      at: m.deadLetteredAt,
      kind: 'dead-letter',
      title: `Dead-lettered after ${m.receiveCount} receives`,
      detail: m.lastError,
      transactionId: m.transactionId,
      href: `/queues/${encodeURIComponent(m.queueId)}?search=${encodeURIComponent(m.transactionId ?? m.id)}`,
    })),
    // One entry per saga, at its outcome (its start is in the detail): the timeline stays readable.
    ...sagas.map((s): IncidentEvent => {
      const kind =
        s.status === 'FAILED' ? 'saga-failed' : s.status === 'COMPENSATED' ? 'saga-compensated' : 'saga-compensating';
      return {
        at: s.endedAt ?? s.startedAt,
        kind,
        title: `Saga ${s.status.toLowerCase()}${s.failedStep ? ` at ${s.failedStep}` : ''}`,
        detail: `${s.error ?? 'no error recorded'} (started ${s.startedAt.slice(11, 19)} UTC)`,
        transactionId: s.transactionId,
        href: `/sagas/${encodeURIComponent(s.id)}`,
      };
    }),
  ];
  return events.sort((a, b) => a.at.localeCompare(b.at));
}

/** From an alarm: the alarm, the DLQ it concerns, the failed or compensated sagas of its window and their transactions. */
export async function getIncident(
  ctx: OpsContext,
  caller: Caller,
  alarmName: string,
  now = Date.now(),
): Promise<Incident> {
  const platform = ctx.platform;
  const found = await platform.getAlarm(caller, alarmName);
  if (!found) throw new PlatformError('NotFound', `No alarm named ${alarmName}`, 'alarm');
  const { alarm, history } = found;
  const window = incidentWindow(alarm.since, alarm.state, history, now);
  const queues = await platform.listQueuePairs(caller);
  const queue = pickQueue(alarm.resource.kind, alarm.resource.id, queues);
  const metricId = metricIdOf(alarm);
  const metrics = [
    ...new Set([metricId, queue ? `dlq.${queue.id}.visible` : null].filter((m): m is string => m !== null)),
  ];
  const sagaQuery = (status: 'COMPENSATED' | 'FAILED' | 'COMPENSATING') =>
    platform.listSagas(caller, { status, from: window.from, to: window.to, limit: INCIDENT_PAGE });
  const [series, dlqPage, compensated, failed, compensating] = await Promise.all([
    metrics.length
      ? platform.getMetricSeries(caller, { metrics, from: window.from, to: window.to, periodSeconds: 60 })
      : Promise.resolve([]),
    queue
      ? platform.listDeadLetters(caller, { queueId: queue.id, limit: INCIDENT_PAGE })
      : Promise.resolve({ items: [], nextCursor: null }),
    sagaQuery('COMPENSATED'),
    sagaQuery('FAILED'),
    sagaQuery('COMPENSATING'),
  ]);
  const inWindow = (t: string) => t >= window.from && t <= window.to;
  const deadLetters = dlqPage.items.filter((m) => inWindow(m.deadLetteredAt));
  const sagas = [...failed.items, ...compensating.items, ...compensated.items];
  const windowHistory = history.filter((h) => inWindow(h.timestamp));

  const transactions = new Map<string, Incident['transactions'][number]>();
  for (const s of sagas) {
    transactions.set(s.transactionId, {
      transactionId: s.transactionId,
      sagaId: s.id,
      sagaStatus: s.status,
      deadLetters: 0,
      firstSeen: s.startedAt,
    });
  }
  for (const m of deadLetters) {
    if (!m.transactionId) continue;
    const t = transactions.get(m.transactionId);
    if (t) {
      t.deadLetters += 1;
      if (m.sentAt < t.firstSeen) t.firstSeen = m.sentAt;
    } else {
      transactions.set(m.transactionId, {
        transactionId: m.transactionId,
        sagaId: null,
        sagaStatus: null,
        deadLetters: 1,
        firstSeen: m.sentAt,
      });
    }
  }

  return {
    alarm,
    window,
    queue,
    series,
    deadLetters,
    sagas,
    transactions: [...transactions.values()].sort((a, b) => a.firstSeen.localeCompare(b.firstSeen)),
    timeline: buildTimeline(alarm.name, windowHistory, deadLetters, sagas),
    truncated: [dlqPage, compensated, failed, compensating].some((p) => p.nextCursor !== null),
  };
}
