import 'server-only';
import {
  CancelReplayCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  ListReplaysCommand,
  StartReplayCommand,
  type DescribeReplayResponse,
  type Replay as ReplaySummary,
  type StartReplayResponse,
} from '@aws-sdk/client-eventbridge';
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { detailTypes, eventSources, IDEMPOTENCY_TTL_HOURS } from '../../../infra/platform/description';
import { ARCHIVE_INDEX_SHARDS, hourBuckets, indexTime } from '../../../infra/platform/layout';
import { ARCHIVE_INGESTION_LAG_SECONDS } from '../../../infra/platform/limits';
import { idempotencyRecordKey } from '../../../infra/runtime/idempotency-key';
import type { PreviewReplayInput, StartReplayInput } from '../inputs.schema';
import {
  archivedEventSchema,
  archiveSchema,
  replayPreviewSchema,
  replaySchema,
  replayStateSchema,
  type Archive,
  type ArchivedEvent,
  type EventPatternFilter,
  type Page,
  type Replay,
  type ReplayPreview,
} from '../platform.schema';
import { PlatformError } from '../port';
import { iso, type Ctx } from './clients';
import { call, isNotFound, mapAwsError, readAfterAcceptedWrite } from './errors';

/**
 * Archives and replays on EventBridge.
 * - A replay's Destination is the archive's source bus (EventBridge requires it) and FilterArns
 *   are the routing rules; FilterArns is the ONLY filter EventBridge applies, so a pattern that
 *   narrows the archived sources/detail types cannot be honoured and is refused (Invalid).
 * - Archive ingestion lags up to ~10 minutes: a window must end before now − lag.
 * - A window starting before the idempotency horizon (IDEMPOTENCY_TTL_HOURS) is refused: the
 *   processor could apply its events a second time.
 * - EventBridge reports no event counts for a replay, only EventLastReplayedTime (progress). The
 *   total comes from our archive index at start and is kept in the replay's Description with the
 *   operator and the pattern (`ledgerline:{json}`), so any console instance can show them.
 */
export const INGESTION_LAG_SECONDS = ARCHIVE_INGESTION_LAG_SECONDS;
const DESCRIPTION_PREFIX = 'ledgerline:';

interface ReplayMeta {
  by: string | null;
  pattern: EventPatternFilter | null;
  total: number | null;
}

function encodeMeta(meta: ReplayMeta): string {
  const full = DESCRIPTION_PREFIX + JSON.stringify(meta);
  // EventBridge: Description ≤ 512 characters.
  return full.length <= 512
    ? full
    : DESCRIPTION_PREFIX + JSON.stringify({ ...meta, pattern: null, patternTruncated: true });
}

function decodeMeta(description: string | undefined): ReplayMeta {
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

// ---------------------------------------------------------------- archives

async function describeArchive(ctx: Ctx) {
  return call(`DescribeArchive ${ctx.config.archive.name}`, () =>
    ctx.aws.events.send(new DescribeArchiveCommand({ ArchiveName: ctx.config.archive.name })),
  );
}

export async function listArchives(ctx: Ctx): Promise<Archive[]> {
  const a = await describeArchive(ctx);
  const retentionDays = a.RetentionDays && a.RetentionDays > 0 ? a.RetentionDays : 30;
  const eventCount = a.EventCount ?? 0;
  const created = a.CreationTime?.getTime() ?? ctx.now();
  return [
    archiveSchema.parse({
      name: a.ArchiveName ?? ctx.config.archive.name,
      region: ctx.config.region,
      sourceBus: a.EventSourceArn?.split('/').pop() ?? ctx.config.bus.name,
      eventCount,
      sizeBytes: a.SizeBytes ?? 0,
      retentionDays,
      ingestionLagSeconds: INGESTION_LAG_SECONDS,
      // No API reads archived events: the oldest one the archive can still hold.
      oldestEventAt: eventCount === 0 ? null : iso(Math.max(created, ctx.now() - retentionDays * 86_400_000)),
    }),
  ];
}

// ---------------------------------------------------------------- replays

type ReplayLike = ReplaySummary & Pick<DescribeReplayResponse, 'Description'>;

function toReplay(ctx: Ctx, r: ReplayLike): Replay {
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

const terminal = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

/** Descriptions of finished replays never change: cache them (bounded). */
export class ReplayDescriptions {
  private readonly cache = new Map<string, string | undefined>();
  get(name: string): { description: string | undefined } | undefined {
    return this.cache.has(name) ? { description: this.cache.get(name) } : undefined;
  }
  put(name: string, description: string | undefined): void {
    this.cache.set(name, description);
    if (this.cache.size > 2000) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}

async function describeReplay(ctx: Ctx, name: string): Promise<DescribeReplayResponse> {
  return call(`DescribeReplay ${name}`, () => ctx.aws.events.send(new DescribeReplayCommand({ ReplayName: name })));
}

export async function listReplays(
  ctx: Ctx,
  descriptions: ReplayDescriptions,
  input: { cursor?: string; limit: number },
): Promise<Page<Replay>> {
  const res = await call('ListReplays', () =>
    ctx.aws.events.send(
      new ListReplaysCommand({
        EventSourceArn: ctx.config.archive.arn,
        Limit: Math.min(100, input.limit),
        NextToken: input.cursor,
      }),
    ),
  );
  const summaries = res.Replays ?? [];
  // ListReplays carries no Description (operator, pattern, total): describe the ones we have not cached.
  const items: Replay[] = [];
  for (let i = 0; i < summaries.length; i += 5) {
    const batch = summaries.slice(i, i + 5);
    items.push(
      ...(await Promise.all(
        batch.map(async (s) => {
          const name = s.ReplayName ?? '';
          let cached = descriptions.get(name);
          if (!cached) {
            const d = await describeReplay(ctx, name);
            cached = { description: d.Description };
            if (terminal.has(d.State ?? '')) descriptions.put(name, d.Description);
          }
          return toReplay(ctx, { ...s, Description: cached.description });
        }),
      )),
    );
  }
  return { items, nextCursor: res.NextToken ?? null };
}

export async function getReplay(ctx: Ctx, name: string): Promise<Replay | null> {
  try {
    return toReplay(ctx, await describeReplay(ctx, name));
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

function narrows(pattern: EventPatternFilter | undefined): string | null {
  if (!pattern) return null;
  if (pattern.source && !eventSources.every((s) => pattern.source?.includes(s))) return 'source';
  if (pattern.detailType && !detailTypes.every((d) => pattern.detailType?.includes(d))) return 'detailType';
  return null;
}

export function validateReplayWindow(ctx: Ctx, window: { start: string; end: string }): void {
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  if (!(start < end)) throw new PlatformError('Invalid', 'window.start must be before window.end', 'window.start');
  const latest = ctx.now() - INGESTION_LAG_SECONDS * 1000;
  if (end > latest) {
    throw new PlatformError(
      'Invalid',
      `window.end must be at or before ${iso(latest)}: the archive ingests events up to ${INGESTION_LAG_SECONDS / 60} minutes late`,
      'window.end',
    );
  }
  const horizon = ctx.now() - IDEMPOTENCY_TTL_HOURS * 3_600_000;
  if (start < horizon) {
    throw new PlatformError(
      'Invalid',
      `window.start must be at or after ${iso(horizon)}: idempotency records expire after ${IDEMPOTENCY_TTL_HOURS} h, so older events could be applied twice`,
      'window.start',
    );
  }
}

/** This adapter serves the stack's one archive. */
function requireArchive(ctx: Ctx, name: string): void {
  if (name !== ctx.config.archive.name)
    throw new PlatformError(
      'NotFound',
      `unknown archive "${name}" (this stack has ${ctx.config.archive.name})`,
      'archive',
    );
}

export async function startReplay(
  ctx: Ctx,
  input: StartReplayInput,
  countEvents: (() => Promise<number>) | null,
): Promise<Replay> {
  requireArchive(ctx, input.archive);
  validateReplayWindow(ctx, input.window);
  const narrowed = narrows(input.pattern);
  if (narrowed) {
    throw new PlatformError(
      'Invalid',
      `EventBridge replays filter only by rule (FilterArns), not by event pattern: pattern.${narrowed} must include every archived value (${(narrowed === 'source' ? eventSources : detailTypes).join(', ')}) or be omitted`,
      `pattern.${narrowed}`,
    );
  }
  const archive = await describeArchive(ctx);
  if (!archive.EventSourceArn || !archive.ArchiveArn)
    throw new PlatformError('Unavailable', `archive ${ctx.config.archive.name} has no source bus`);
  const total = countEvents ? await countEvents() : null;
  const generated = input.name === undefined;
  const name = input.name ?? `replay-${iso(ctx.now()).replace(/[-:]/g, '').slice(0, 15)}-${ctx.randomId().slice(0, 8)}`;
  const description = encodeMeta({ by: ctx.caller.id, pattern: input.pattern ?? null, total });
  const eventStart = new Date(input.window.start);
  const eventEnd = new Date(input.window.end);
  let started: StartReplayResponse;
  try {
    started = await ctx.aws.events.send(
      new StartReplayCommand({
        ReplayName: name,
        Description: description,
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: eventStart,
        EventEndTime: eventEnd,
        Destination: { Arn: archive.EventSourceArn, FilterArns: ctx.config.replayRuleArns },
      }),
    );
  } catch (error) {
    const mapped = mapAwsError(error, `StartReplay ${name}`);
    // A name we generated for THIS call can only exist already because the SDK retried a
    // StartReplay whose first answer was lost: that replay is ours, report it as started.
    if (!generated || (error as { name?: unknown }).name !== 'ResourceAlreadyExistsException') throw mapped;
    return ownReplayOrConflict(ctx, name, archive.ArchiveArn, input.window, mapped);
  }
  // The replay runs from here on: never report failure, or the operator's retry starts a second one.
  return readAfterAcceptedWrite(
    `StartReplay ${name}`,
    async () => toReplay(ctx, await describeReplay(ctx, name)),
    (why) => {
      const state = replayStateSchema.safeParse(started.State);
      return toReplay(ctx, {
        ReplayName: name,
        EventSourceArn: archive.ArchiveArn,
        State: state.success ? state.data : 'STARTING',
        StateReason:
          started.StateReason ??
          `started; reading it back failed (DescribeReplay: ${why}), refresh to see its progress`,
        EventStartTime: eventStart,
        EventEndTime: eventEnd,
        ReplayStartTime: started.ReplayStartTime ?? new Date(ctx.now()),
        Description: description,
      });
    },
  );
}

/**
 * StartReplay said our generated name exists: the replay is this request's if it replays the
 * same archive and window and its Description names the same caller; anything else stays a
 * Conflict. If it cannot be read, the error says so (the operator must look before retrying).
 */
async function ownReplayOrConflict(
  ctx: Ctx,
  name: string,
  archiveArn: string,
  window: { start: string; end: string },
  conflict: Error,
): Promise<Replay> {
  let existing: DescribeReplayResponse;
  try {
    existing = await describeReplay(ctx, name);
  } catch (error) {
    const why = error instanceof PlatformError ? error.code : error instanceof Error ? error.name : 'error';
    const unconfirmed = new PlatformError(
      'Unavailable',
      `StartReplay answered that replay ${name} already exists (probably this request, retried by the SDK) but DescribeReplay failed (${why}): look at replay ${name} before starting another`,
    );
    unconfirmed.cause = error;
    throw unconfirmed;
  }
  const ours =
    existing.EventSourceArn === archiveArn &&
    existing.EventStartTime?.getTime() === Date.parse(window.start) &&
    existing.EventEndTime?.getTime() === Date.parse(window.end) &&
    decodeMeta(existing.Description).by === ctx.caller.id;
  if (!ours) throw conflict;
  return toReplay(ctx, existing);
}

export async function cancelReplay(ctx: Ctx, name: string): Promise<Replay> {
  await call(`CancelReplay ${name}`, () => ctx.aws.events.send(new CancelReplayCommand({ ReplayName: name })));
  return toReplay(ctx, await describeReplay(ctx, name));
}

// ---------------------------------------------------------------- preview (archive index)

function requireIndex(ctx: Ctx): string {
  const table = ctx.config.archiveIndexTable;
  if (!table) {
    throw new PlatformError(
      'Unavailable',
      'replay previews need the archive index table (EventBridge has no API that reads archived events) and this stack has none; the replay itself can still be started',
    );
  }
  return table;
}

function filterFor(pattern: EventPatternFilter | undefined) {
  const parts: string[] = [];
  const values: Record<string, string> = {};
  const names: Record<string, string> = {};
  if (pattern?.source?.length) {
    names['#source'] = 'source';
    parts.push(`#source IN (${pattern.source.map((s, i) => ((values[`:s${i}`] = s), `:s${i}`)).join(', ')})`);
  }
  if (pattern?.detailType?.length) {
    names['#dt'] = 'detailType';
    parts.push(`#dt IN (${pattern.detailType.map((d, i) => ((values[`:d${i}`] = d), `:d${i}`)).join(', ')})`);
  }
  return parts.length
    ? { FilterExpression: parts.join(' AND '), ExpressionAttributeNames: names, filterValues: values }
    : { filterValues: values };
}

interface IndexQuery {
  table: string;
  pk: string;
  from: string;
  to: string;
  pattern: EventPatternFilter | undefined;
}

function queryCommand(
  q: IndexQuery,
  select: 'COUNT' | 'ALL_ATTRIBUTES',
  startKey: Record<string, unknown> | undefined,
  limit?: number,
) {
  const f = filterFor(q.pattern);
  return new QueryCommand({
    TableName: q.table,
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
    ...(f.FilterExpression ? { FilterExpression: f.FilterExpression } : {}),
    ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', ...(f.ExpressionAttributeNames ?? {}) },
    ExpressionAttributeValues: { ':pk': q.pk, ':from': q.from, ':to': q.to, ...f.filterValues },
    Select: select,
    ExclusiveStartKey: startKey,
    ...(limit ? { Limit: limit } : {}),
  });
}

function indexQueries(
  ctx: Ctx,
  window: { start: string; end: string },
  pattern: EventPatternFilter | undefined,
): IndexQuery[][] {
  const table = requireIndex(ctx);
  const from = indexTime(window.start);
  // `${time}#${eventId}`: "\uffff" sorts after any event id at the end time.
  const to = `${indexTime(window.end)}#\uffff`;
  return hourBuckets(Date.parse(window.start), Date.parse(window.end)).map((hour) =>
    Array.from({ length: ARCHIVE_INDEX_SHARDS }, (_, shard) => ({ table, pk: `${hour}#${shard}`, from, to, pattern })),
  );
}

/** Number of indexed events in the window matching the pattern (Query Select COUNT, every hour × shard). */
export async function countIndexedEvents(
  ctx: Ctx,
  window: { start: string; end: string },
  pattern: EventPatternFilter | undefined,
): Promise<number> {
  const queries = indexQueries(ctx, window, pattern).flat();
  let total = 0;
  const concurrency = 8;
  for (let i = 0; i < queries.length; i += concurrency) {
    const counts = await Promise.all(
      queries.slice(i, i + concurrency).map(async (q) => {
        let n = 0;
        let key: Record<string, unknown> | undefined;
        do {
          const res = await call(`Query ${q.table} ${q.pk}`, () =>
            ctx.aws.dynamodb.send(queryCommand(q, 'COUNT', key)),
          );
          n += res.Count ?? 0;
          key = res.LastEvaluatedKey;
        } while (key);
        return n;
      }),
    );
    total += counts.reduce((a, b) => a + b, 0);
  }
  return total;
}

function toArchivedEvent(item: Record<string, unknown>): ArchivedEvent {
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

/** The first `size` matching events of the window, in time order. */
async function sampleIndexedEvents(
  ctx: Ctx,
  window: { start: string; end: string },
  pattern: EventPatternFilter | undefined,
  size: number,
): Promise<ArchivedEvent[]> {
  const out: ArchivedEvent[] = [];
  for (const hour of indexQueries(ctx, window, pattern)) {
    const perShard = await Promise.all(
      hour.map(async (q) => {
        const items: Record<string, unknown>[] = [];
        let key: Record<string, unknown> | undefined;
        do {
          const res = await call(`Query ${q.table} ${q.pk}`, () =>
            ctx.aws.dynamodb.send(queryCommand(q, 'ALL_ATTRIBUTES', key, size)),
          );
          items.push(...(res.Items ?? []));
          key = res.LastEvaluatedKey;
        } while (key && items.length < size);
        return items;
      }),
    );
    const merged = perShard.flat().sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    out.push(...merged.slice(0, size - out.length).map(toArchivedEvent));
    if (out.length >= size) break;
  }
  return out;
}

/**
 * How many of the sample's transactions the processor has already applied (live idempotency
 * records). The processor's records are keyed `transaction#<hash>` (Powertools), not by the raw
 * transaction id: `idempotencyRecordKey` is the one definition both sides use.
 */
async function alreadyApplied(ctx: Ctx, sample: ArchivedEvent[]): Promise<number> {
  const ids = [...new Set(sample.map((e) => e.transactionId).filter((id): id is string => id !== null))];
  if (ids.length === 0) return 0;
  const table = ctx.config.idempotencyTable;
  const nowSeconds = Math.floor(ctx.now() / 1000);
  const recordKey = new Map(ids.map((id) => [id, idempotencyRecordKey(id)]));
  const applied = new Set<string>(); // record keys
  let keys: Record<string, unknown>[] | undefined = [...recordKey.values()].map((key) => ({ key }));
  for (let attempt = 0; keys?.length && attempt < 4; attempt++) {
    const request: Record<string, unknown>[] = keys;
    const res = await call(`BatchGetItem ${table}`, () =>
      ctx.aws.dynamodb.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: request,
              ProjectionExpression: '#k, #s, expiryTime',
              ExpressionAttributeNames: { '#k': 'key', '#s': 'status' },
            },
          },
        }),
      ),
    );
    for (const item of res.Responses?.[table] ?? []) {
      const expiry = typeof item.expiryTime === 'number' ? item.expiryTime : 0;
      if (item.status === 'COMPLETED' && expiry > nowSeconds && typeof item.key === 'string') applied.add(item.key);
    }
    keys = res.UnprocessedKeys?.[table]?.Keys;
    if (keys?.length) await ctx.sleep(100 * 2 ** attempt);
  }
  if (keys?.length)
    throw new PlatformError(
      'Throttled',
      `DynamoDB left ${keys.length} idempotency lookups unprocessed; retry shortly`,
      undefined,
      2,
    );
  return sample.filter((e) => e.transactionId !== null && applied.has(recordKey.get(e.transactionId) ?? '')).length;
}

export async function previewReplay(ctx: Ctx, input: PreviewReplayInput): Promise<ReplayPreview> {
  requireArchive(ctx, input.archive);
  requireIndex(ctx);
  const [count, sample] = await Promise.all([
    countIndexedEvents(ctx, input.window, input.pattern),
    sampleIndexedEvents(ctx, input.window, input.pattern, 50),
  ]);
  return replayPreviewSchema.parse({
    count,
    sample,
    sampleAlreadyApplied: await alreadyApplied(ctx, sample),
    idempotencyHorizon: iso(ctx.now() - IDEMPOTENCY_TTL_HOURS * 3_600_000),
  });
}
