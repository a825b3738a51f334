import 'server-only';
import type { Caller } from '@/server/auth/permissions.schema';
import type { OpsContext } from '@/server/ops/context';
import { staleAsOf } from '@/server/platform/freshness.schema';
import type { Alarm, MetricSeries, Page, SagaSummary } from '@/server/platform/platform.schema';
import { createTtlCache } from './cache';
import { resolveRange, type Overview, type RangeInput, type RegionOverview, type SagaOutcomes } from './read.schema';
import { activeRedriveStates, activeReplayStates } from './replays';

/** In-flight sagas are counted up to this (one bounded page per status). */
export const RUNNING_CAP = 200;
/** Active replays and redrives are looked for in the most recent page of each. */
const RECENT_TASKS = 50;

const sum = (s: MetricSeries | undefined) => (s ? s.points.reduce((acc, p) => acc + p.v, 0) : 0);

function sagaOutcomes(
  series: MetricSeries[],
  running: Page<SagaSummary>,
  compensating: Page<SagaSummary>,
): SagaOutcomes {
  const byId = new Map(series.map((s) => [s.id, s]));
  return {
    succeeded: Math.round(sum(byId.get('saga.succeeded'))),
    compensated: Math.round(sum(byId.get('saga.compensated'))),
    failed: Math.round(sum(byId.get('saga.failed'))),
    running: running.items.length + compensating.items.length,
    runningCapped: running.nextCursor !== null || compensating.nextCursor !== null,
  };
}

async function load(ctx: OpsContext, caller: Caller, input: RangeInput, now: number): Promise<Overview> {
  const platform = ctx.platform;
  const range = resolveRange(input, now);
  const [regions, alarms, queues, series, replays, redrives, running, compensating] = await Promise.all([
    platform.listRegions(caller),
    platform.listAlarms(caller, {}),
    platform.listQueuePairs(caller),
    platform.getMetricSeries(caller, {
      metrics: ['events.in', 'processor.processed', 'saga.succeeded', 'saga.compensated', 'saga.failed'],
      from: range.from,
      to: range.to,
      periodSeconds: range.periodSeconds,
    }),
    platform.listReplays(caller, { limit: RECENT_TASKS }),
    platform.listRedrives(caller, { limit: RECENT_TASKS }),
    platform.listSagas(caller, { status: 'RUNNING', limit: RUNNING_CAP }),
    platform.listSagas(caller, { status: 'COMPENSATING', limit: RUNNING_CAP }),
  ]);
  // The oldest stale mark of every read the overview is built from, including those it keeps
  // only as counts (the non-firing alarms, the saga pages) or takes items from (the task pages,
  // marked on the page): the overview says "data as of" whenever any of its figures is old.
  const asOf = staleAsOf([regions, alarms, queues, series, replays, redrives, running, compensating]);
  const perRegion: RegionOverview[] = regions.map((region) => {
    const mine = alarms.filter((a) => a.region === region.id);
    const count = (state: Alarm['state']) => mine.filter((a) => a.state === state).length;
    return {
      region,
      firingAlarms: mine.filter((a) => a.state === 'ALARM').sort((a, b) => b.since.localeCompare(a.since)),
      alarmCounts: { ALARM: count('ALARM'), INSUFFICIENT_DATA: count('INSUFFICIENT_DATA'), OK: count('OK') },
      queues: queues.filter((q) => q.region === region.id),
    };
  });
  return {
    generatedAt: new Date(now).toISOString(),
    range,
    regions: perRegion,
    sagaOutcomes: sagaOutcomes(series, running, compensating),
    throughput: series.filter((s) => s.id === 'events.in' || s.id === 'processor.processed'),
    activeReplays: replays.items.filter((r) => activeReplayStates.includes(r.state)),
    activeRedrives: redrives.items.filter((t) => activeRedriveStates.includes(t.status)),
    ...(asOf ? { freshness: { stale: true as const, asOf } } : {}),
  };
}

/**
 * Everything the overview polls, in one call. Consoles polling the same range within one
 * second share one set of platform calls (the data moves per minute; the poll is every 5 s).
 * Shared across callers because every caller with platform.read sees the same data.
 */
const cache = createTtlCache<Overview>(1000);

export async function getOverview(
  ctx: OpsContext,
  caller: Caller,
  input: RangeInput,
  now = Date.now(),
): Promise<Overview> {
  const key = input.range === 'custom' ? `custom|${input.from}|${input.to}` : (input.range ?? '1h');
  return cache.get(key, () => load(ctx, caller, input, now), now);
}

/** Tests: forget cached overviews. */
export function clearOverviewCache(): void {
  cache.clear();
}
