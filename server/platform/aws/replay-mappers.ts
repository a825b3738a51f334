import 'server-only';
import type {
  DescribeArchiveResponse,
  DescribeReplayResponse,
  Replay as ReplaySummary,
} from '@aws-sdk/client-eventbridge';
import { ARCHIVE_INGESTION_LAG_SECONDS } from '../../../infra/platform/limits';
import {
  archivedEventSchema,
  archiveSchema,
  replaySchema,
  replayStateSchema,
  type Archive,
  type ArchivedEvent,
  type EventPatternFilter,
  type Replay,
} from '../platform.schema';
import { PlatformError } from '../port';
import { iso, type Ctx } from './clients';

/**
 * EventBridge archives and replays, and archive-index items, reshaped into the port's DTOs. No AWS
 * calls. EventBridge reports no event counts for a replay, only EventLastReplayedTime (progress).
 * The total comes from our archive index at start and is kept in the replay's Description with the
 * operator and the pattern (`ledgerline:{json}`), so any console instance can show them.
 */

/** What the mappers read of the context: the stack's names, the region and the clock. */
type MapCtx = Pick<Ctx, 'config' | 'now'>;

const DESCRIPTION_PREFIX = 'ledgerline:';

export interface ReplayMeta {
  by: string | null;
  pattern: EventPatternFilter | null;
  total: number | null;
}

export function encodeMeta(meta: ReplayMeta): string {
  const full = DESCRIPTION_PREFIX + JSON.stringify(meta);
  // EventBridge: Description ≤ 512 characters.
  return full.length <= 512
    ? full
    : DESCRIPTION_PREFIX + JSON.stringify({ ...meta, pattern: null, patternTruncated: true });
}

export function decodeMeta(description: string | undefined): ReplayMeta {
  if (!description?.startsWith(DESCRIPTION_PREFIX)) return { by: null, pattern: null, total: null };
  try {
    const m = JSON.parse(description.slice(DESCRIPTION_PREFIX.length)) as Partial<ReplayMeta>;
    return {
      by: typeof m.by === 'string' ? m.by : null,
      pattern: m.pattern ?? null,
      total: typeof m.total === 'number' ? m.total : null,
    };
  } catch {
    return { by: null, pattern: null, total: null }; // written by someone else: no metadata to show
  }
}

export function toArchive(ctx: MapCtx, a: DescribeArchiveResponse): Archive {
  const retentionDays = a.RetentionDays && a.RetentionDays > 0 ? a.RetentionDays : 30;
  const eventCount = a.EventCount ?? 0;
  const created = a.CreationTime?.getTime() ?? ctx.now();
  return archiveSchema.parse({
    name: a.ArchiveName ?? ctx.config.archive.name,
    region: ctx.config.region,
    sourceBus: a.EventSourceArn?.split('/').pop() ?? ctx.config.bus.name,
    eventCount,
    sizeBytes: a.SizeBytes ?? 0,
    retentionDays,
    ingestionLagSeconds: ARCHIVE_INGESTION_LAG_SECONDS,
    // No API reads archived events: the oldest one the archive can still hold.
    oldestEventAt: eventCount === 0 ? null : iso(Math.max(created, ctx.now() - retentionDays * 86_400_000)),
  });
}

export type ReplayLike = ReplaySummary & Pick<DescribeReplayResponse, 'Description'>;

export function toReplay(ctx: MapCtx, r: ReplayLike): Replay {
  const meta = decodeMeta(r.Description);
  const state = replayStateSchema.safeParse(r.State);
  if (!state.success)
    throw new PlatformError('Unavailable', `EventBridge returned an unknown replay state "${r.State}"`);
  const start = r.EventStartTime?.getTime() ?? ctx.now();
  const end = r.EventEndTime?.getTime() ?? start;
  const last = r.EventLastReplayedTime?.getTime() ?? null;
  let replayed = 0;
  if (meta.total !== null) {
    if (state.data === 'COMPLETED') replayed = meta.total;
    // Estimate from the progress cursor (events arrive in 1-minute slices, so this is approximate).
    else if (last !== null && end > start)
      replayed = Math.min(meta.total, Math.round((meta.total * (last - start)) / (end - start)));
  }
  return replaySchema.parse({
    name: r.ReplayName,
    archive: r.EventSourceArn?.split('/').pop() ?? ctx.config.archive.name,
    region: ctx.config.region,
    state: state.data,
    window: { start: iso(start), end: iso(end) },
    pattern: meta.pattern,
    lastReplayedTime: last === null ? null : iso(last),
    eventsReplayed: Math.max(0, replayed),
    eventsTotal: meta.total,
    startedAt: iso(r.ReplayStartTime ?? ctx.now()),
    endedAt: r.ReplayEndTime ? iso(r.ReplayEndTime) : null,
    startedBy: meta.by,
    stateReason: r.StateReason ?? null,
  });
}

export function toArchivedEvent(item: Record<string, unknown>): ArchivedEvent {
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return archivedEventSchema.parse({
    id: str(item.eventId),
    time: str(item.time),
    source: str(item.source),
    detailType: str(item.detailType),
    transactionId: str(item.transactionId),
    detail: str(item.detail) ?? JSON.stringify(item.detail ?? null),
  });
}
