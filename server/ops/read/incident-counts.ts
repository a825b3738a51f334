import 'server-only';
import { classifyFailure } from '@/infra/runtime/failure-class';
import type { AuditEntry } from '@/server/audit/audit.schema';
import type { Caller } from '@/server/auth/permissions.schema';
import { staleAsOf } from '@/server/platform/freshness.schema';
import type { SagaSummary } from '@/server/platform/platform.schema';
import type { Platform } from '@/server/platform/port';
import type { IncidentCounts, IncidentGroup, IncidentTimelineEvent } from './incident.schema';

/** The most sagas of one status an incident counts (then it says the count is at least that). */
export const INCIDENT_COUNT_CAP = 10_000;
const PAGE = 200;
const statuses = ['FAILED', 'COMPENSATING', 'COMPENSATED'] as const;

/**
 * Every failed, compensating and compensated saga of the window, through the same listSagas query
 * and [from, to) window as the sagas list (so the counts are the list's), up to the cap per status.
 */
export async function windowSagas(
  platform: Platform,
  caller: Caller,
  window: { from: string; to: string },
): Promise<{ sagas: SagaSummary[]; counts: IncidentCounts; asOf: string | null }> {
  // The pages' stale marks (a throttled read answered from the read cache), kept for the oldest.
  const marks: (string | null)[] = [];
  const perStatus = await Promise.all(
    statuses.map(async (status) => {
      const items: SagaSummary[] = [];
      let cursor: string | undefined;
      let more = true;
      while (more && items.length < INCIDENT_COUNT_CAP) {
        const page = await platform.listSagas(caller, {
          status,
          from: window.from,
          to: window.to,
          cursor,
          limit: PAGE,
        });
        items.push(...page.items);
        marks.push(staleAsOf(page));
        cursor = page.nextCursor ?? undefined;
        more = page.nextCursor !== null;
      }
      return { status, items: items.slice(0, INCIDENT_COUNT_CAP), capped: more };
    }),
  );
  const n = (s: (typeof statuses)[number]) => perStatus.find((p) => p.status === s)!.items.length;
  return {
    sagas: perStatus.flatMap((p) => p.items),
    counts: {
      FAILED: n('FAILED'),
      COMPENSATING: n('COMPENSATING'),
      COMPENSATED: n('COMPENSATED'),
      total: n('FAILED') + n('COMPENSATING') + n('COMPENSATED'),
      capped: perStatus.some((p) => p.capped),
      cap: INCIDENT_COUNT_CAP,
    },
    asOf: staleAsOf(marks.map((asOf) => (asOf ? { freshness: { stale: true, asOf } } : null))),
  };
}

/** The sagas by (failed step, failure class of their error), the most recently failing group first. */
export function groupSagas(sagas: SagaSummary[]): IncidentGroup[] {
  const groups = new Map<string, IncidentGroup>();
  for (const s of sagas) {
    const step = s.failedStep ?? 'unknown step';
    const c = classifyFailure(s.error ?? 'Error: no error recorded', s.failedStep ?? undefined);
    const key = `${step}\u0000${c.classId}`;
    const at = s.endedAt ?? s.startedAt;
    const status = s.status as 'FAILED' | 'COMPENSATING' | 'COMPENSATED';
    const g = groups.get(key);
    if (!g) {
      groups.set(key, {
        step,
        classId: c.classId,
        errorType: c.errorType,
        message: c.normalisedMessage,
        count: 1,
        byStatus: { [status]: 1 },
        firstAt: at,
        lastAt: at,
        sampleSagaId: s.id,
      });
      continue;
    }
    g.count++;
    g.byStatus[status] = (g.byStatus[status] ?? 0) + 1;
    if (at < g.firstAt) g.firstAt = at;
    if (at > g.lastAt) {
      g.lastAt = at;
      g.sampleSagaId = s.id;
    }
  }
  return [...groups.values()].sort((a, b) => b.lastAt.localeCompare(a.lastAt) || b.count - a.count);
}

/** The audit actions an incident's timeline shows. */
export const incidentActions = [
  'redrive.start',
  'redrive.cancel',
  'redrive.pause',
  'redrive.completed',
  'replay.start',
  'replay.cancel',
  'replay.completed',
  'saga.compensate',
  'saga.resume',
  'saga.compensate.completed',
  'approval.approve',
  'approval.reject',
  'queue.quarantine',
] as const;

const hrefOf = (target: string | null): string => {
  const [kind, id = ''] = (target ?? '').split(/:(.*)/s);
  if (kind === 'saga') return `/sagas/${encodeURIComponent(id)}`;
  if (kind === 'queue' || kind === 'redrive') return '/replays';
  if (kind === 'archive' || kind === 'replay') return '/replays';
  return '/audit';
};

/** The operators' actions of the window (redrives, replays, approvals, compensations) as timeline events. */
export function actionEvents(entries: AuditEntry[]): IncidentTimelineEvent[] {
  return entries
    .filter((e) => (incidentActions as readonly string[]).includes(e.action))
    .map((e) => ({
      at: e.at,
      kind: 'operator' as const,
      title: `${e.action} ${e.outcome} by ${e.actorName}`,
      detail: [e.target, e.reason].filter(Boolean).join(' · ') || null,
      transactionId: null,
      href: hrefOf(e.target),
    }));
}
