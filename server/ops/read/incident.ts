import 'server-only';
import type { Caller } from '@/server/auth/permissions.schema';
import type { OpsContext } from '@/server/ops/context';
import { staleAsOf } from '@/server/platform/freshness.schema';
import type { AlarmHistoryItem, DeadLetterMessage, QueuePair } from '@/server/platform/platform.schema';
import { PlatformError } from '@/server/platform/port';
import { actionEvents, groupSagas, windowSagas } from './incident-counts';
import type { IncidentDetail, IncidentGroup, IncidentTimelineEvent } from './incident.schema';
import { metricIdOf } from './metric-ids';
import type { Incident } from './read.schema';

/** Each correlated list is one bounded page. */
export const INCIDENT_PAGE = 50;
const TAIL_MS = 5 * 60_000;

/**
 * The incident's window: the alarm's last ALARM episode, from its start (the first breaching
 * minute, `episodeStart`; the transition's time where the platform has none) to 5 min after it
 * cleared (or now). Nothing before the episode: earlier failures are another story.
 */
export function incidentWindow(
  since: string,
  state: string,
  history: AlarmHistoryItem[],
  now: number,
  episodeStart: string | null = null,
): { from: string; to: string } {
  const asc = [...history].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  let start = Date.parse(episodeStart ?? since);
  let end = now;
  if (state !== 'ALARM') {
    const lastFiring = asc.filter((h) => h.to === 'ALARM').at(-1);
    if (lastFiring) {
      start = Math.min(Date.parse(lastFiring.timestamp), episodeStart ? Date.parse(episodeStart) : Infinity);
      const cleared = asc.find((h) => h.from === 'ALARM' && h.timestamp > lastFiring.timestamp);
      end = cleared ? Math.min(now, Date.parse(cleared.timestamp) + TAIL_MS) : now;
    }
  }
  return { from: new Date(start).toISOString(), to: new Date(Math.max(end, start + 1)).toISOString() };
}

/** The most points a series may have (the platform port's limit on getMetricSeries). */
const MAX_POINTS = 1440;

/**
 * The incident charts' period: one minute, or the fewest whole minutes that keep the window
 * within MAX_POINTS (an episode or a quiet spell longer than a day: a one-minute series of it
 * was refused, and the whole incident view answered 422).
 */
export function incidentPeriodSeconds(window: { from: string; to: string }): number {
  const minutes = (Date.parse(window.to) - Date.parse(window.from)) / 60_000;
  return 60 * Math.max(1, Math.ceil(minutes / MAX_POINTS));
}

function pickQueue(kind: string, id: string, queues: QueuePair[]): QueuePair | null {
  if (kind === 'queue') return queues.find((q) => q.id === id) ?? null;
  return queues.find((q) => q.dlq.visible > 0) ?? queues[0] ?? null;
}

export function buildTimeline(
  alarmName: string,
  history: AlarmHistoryItem[],
  deadLetters: DeadLetterMessage[],
  groups: IncidentGroup[],
  actions: IncidentTimelineEvent[],
): IncidentTimelineEvent[] {
  const alarmHref = `/alarms/${encodeURIComponent(alarmName)}`;
  const events: IncidentTimelineEvent[] = [
    ...history.map((h): IncidentTimelineEvent => ({
      at: h.timestamp,
      kind: 'alarm',
      title: `Alarm ${h.from} → ${h.to}`,
      detail: h.reason,
      transactionId: null,
      href: alarmHref,
    })),
    ...deadLetters.map((m): IncidentTimelineEvent => ({
      at: m.deadLetteredAt,
      kind: 'dead-letter',
      title: `Dead-lettered after ${m.receiveCount} receives`,
      detail: m.lastError,
      transactionId: m.transactionId,
      href: `/queues/${encodeURIComponent(m.queueId)}?search=${encodeURIComponent(m.transactionId ?? m.id)}`,
    })),
    // One entry per (step, error class), at its latest saga: the timeline stays readable.
    ...groups.map((g): IncidentTimelineEvent => {
      const kind = g.byStatus.FAILED
        ? 'saga-failed'
        : g.byStatus.COMPENSATING
          ? 'saga-compensating'
          : 'saga-compensated';
      const statuses = Object.entries(g.byStatus)
        .map(([status, n]) => `${n.toLocaleString('en-US')} ${status.toLowerCase()}`)
        .join(', ');
      return {
        at: g.lastAt,
        kind,
        title: `${g.count.toLocaleString('en-US')} sagas at ${g.step}: ${g.errorType} (${statuses})`,
        detail: `${g.message} (first ${g.firstAt.slice(11, 19)} UTC)`,
        transactionId: null,
        href: `/sagas/${encodeURIComponent(g.sampleSagaId)}`,
      };
    }),
    ...actions,
  ];
  return events.sort((a, b) => b.at.localeCompare(a.at));
}

/**
 * From an alarm: the alarm, the DLQ it concerns, and its episode's failed or compensated sagas
 * (counted with the sagas list's own query, grouped by step and error class), their transactions
 * and the operators' actions, on one timeline, newest first.
 */
export async function getIncident(
  ctx: OpsContext,
  caller: Caller,
  alarmName: string,
  now = Date.now(),
): Promise<IncidentDetail> {
  const platform = ctx.platform;
  const found = await platform.getAlarm(caller, alarmName);
  if (!found) throw new PlatformError('NotFound', `No alarm named ${alarmName}`, 'alarm');
  const { alarm, history } = found;
  const episodeStart = alarm.episodeStart ?? null;
  const window = incidentWindow(alarm.since, alarm.state, history, now, episodeStart);
  const queues = await platform.listQueuePairs(caller);
  const queue = pickQueue(alarm.resource.kind, alarm.resource.id, queues);
  const metricId = metricIdOf(alarm);
  const metrics = [
    ...new Set([metricId, queue ? `dlq.${queue.id}.visible` : null].filter((m): m is string => m !== null)),
  ];
  const [series, dlqPage, windowed, audit] = await Promise.all([
    metrics.length
      ? platform.getMetricSeries(caller, { metrics, ...window, periodSeconds: incidentPeriodSeconds(window) })
      : Promise.resolve([]),
    queue
      ? platform.listDeadLetters(caller, { queueId: queue.id, limit: INCIDENT_PAGE })
      : Promise.resolve({ items: [], nextCursor: null }),
    windowSagas(platform, caller, window),
    ctx.audit.list({ from: window.from, to: window.to, limit: 200 }),
  ]);
  // The window is [from, to), as listSagas's.
  const inWindow = (t: string) => t >= window.from && t < window.to;
  const deadLetters = dlqPage.items.filter((m) => inWindow(m.deadLetteredAt));
  const groups = groupSagas(windowed.sagas);
  // Only the newest sagas are listed as transactions: the counts and groups hold all of them.
  const sagas = [...windowed.sagas].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, INCIDENT_PAGE);
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

  // Every read the incident is built from, also those it keeps only in part (the alarm's wrapper,
  // the dead-letter page, the saga pages behind the counts): "data as of" the oldest stale mark.
  const asOf = staleAsOf([
    found,
    queue,
    series,
    dlqPage,
    windowed.asOf ? { freshness: { stale: true, asOf: windowed.asOf } } : null,
  ]);
  return {
    ...(asOf ? { freshness: { stale: true as const, asOf } } : {}),
    alarm,
    window,
    anchor: episodeStart ? 'episode' : 'state-change',
    queue,
    series,
    deadLetterCount: deadLetters.length,
    counts: windowed.counts,
    groups,
    transactions: [...transactions.values()].sort((a, b) => b.firstSeen.localeCompare(a.firstSeen)),
    timeline: buildTimeline(alarm.name, windowHistory, deadLetters, groups, actionEvents(audit.items)),
    truncated: dlqPage.nextCursor !== null || windowed.counts.total > sagas.length,
  };
}
