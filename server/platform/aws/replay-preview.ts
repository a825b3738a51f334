import 'server-only';
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { IDEMPOTENCY_TTL_HOURS } from '../../../infra/platform/description';
import { ARCHIVE_INDEX_SHARDS, hourBuckets, indexTime } from '../../../infra/platform/layout';
import { idempotencyRecordKey } from '../../../infra/runtime/idempotency-key';
import { parseTransactionEvent } from '../../../infra/runtime/transaction';
import type { PreviewReplayInput } from '../inputs.schema';
import {
  replayPreviewSchema,
  type ArchivedEvent,
  type EventPatternFilter,
  type ReplayClassification,
  type ReplayPreview,
} from '../platform.schema';
import { PlatformError } from '../port';
import { iso, type Ctx } from './clients';
import { call } from './errors';
import { PERMANENT_TRANSACTIONS_LIMIT, permanentTransactions } from './failure-index';
import { toArchivedEvent } from './replay-mappers';
import { requireArchive } from './replay-window';

/**
 * Replay previews from the archive index table (DynamoDB, one item per archived event, keyed by
 * hour bucket and shard): EventBridge has no API that reads archived events. The index also
 * counts a replay's events when it starts (its total). The classification reads the failure
 * index too: an event whose transaction is in a DLQ with a permanent failure class will dead-letter
 * again (failure-index.ts permanentTransactions, bounded).
 */

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
 * Which of these transactions the processor has already applied (live idempotency records), in
 * BatchGetItem requests of 100 keys. The processor's records are keyed `transaction#<hash>`
 * (Powertools), not by the raw transaction id: `idempotencyRecordKey` is the one definition both sides use.
 */
async function appliedTransactions(ctx: Ctx, ids: string[]): Promise<Set<string>> {
  const applied = new Set<string>();
  for (let i = 0; i < ids.length; i += 100) {
    for (const id of await appliedOf(ctx, ids.slice(i, i + 100))) applied.add(id);
  }
  return applied;
}

async function appliedOf(ctx: Ctx, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
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
  return ids.filter((id) => applied.has(recordKey.get(id) ?? ''));
}

/** The most events an AWS preview reads and classifies (1,000: 10 BatchGetItem calls at most). */
export const AWS_CLASSIFY_LIMIT = 1_000;

/** An archived event as the processor would receive it: poison if its parser rejects it. */
function isPoison(e: ArchivedEvent): boolean {
  let detail: unknown;
  try {
    detail = JSON.parse(e.detail);
  } catch {
    return true;
  }
  const body = { version: '0', id: e.id, source: e.source, 'detail-type': e.detailType, time: e.time, detail };
  return !parseTransactionEvent(JSON.stringify(body)).ok;
}

/** Transactions in a DLQ with a permanent failure class (null: this stack has no failure index). */
type Permanent = { ids: Set<string>; complete: boolean } | null;

function classify(
  events: ArchivedEvent[],
  applied: Set<string>,
  count: number,
  permanent: Permanent,
): ReplayClassification {
  const c = { alreadyApplied: 0, willApply: 0, willDeadLetterAgain: 0, willStartSagas: 0, withoutTransaction: 0 };
  for (const e of events) {
    if (e.transactionId === null) c.withoutTransaction++;
    if (e.transactionId !== null && applied.has(e.transactionId)) c.alreadyApplied++;
    else if (e.transactionId === null || permanent?.ids.has(e.transactionId) || isPoison(e)) c.willDeadLetterAgain++;
    else {
      c.willApply++;
      c.willStartSagas++; // no live idempotency record: the processor starts its saga
    }
  }
  const n = (v: number) => v.toLocaleString('en-US');
  const notes = [
    count > events.length
      ? `classified the first ${n(events.length)} of ${n(count)} events (limit ${n(AWS_CLASSIFY_LIMIT)})`
      : null,
    !permanent
      ? 'this stack has no failure index: "will dead-letter again" counts only the events the processor\'s parser rejects; a transaction in a DLQ for another permanent reason counts as "will apply"'
      : permanent.complete
        ? null
        : `the failure index holds more permanently failed transactions than the ${n(PERMANENT_TRANSACTIONS_LIMIT)} read: "will dead-letter again" is a lower bound`,
  ].filter((note): note is string => note !== null);
  return { classified: events.length, ...c, sampled: notes.length ? notes.join('; ') : null };
}

export async function previewReplay(ctx: Ctx, input: PreviewReplayInput): Promise<ReplayPreview> {
  requireArchive(ctx, input.archive);
  requireIndex(ctx);
  const [count, sample] = await Promise.all([
    countIndexedEvents(ctx, input.window, input.pattern),
    sampleIndexedEvents(ctx, input.window, input.pattern, 50),
  ]);
  const events =
    count <= sample.length
      ? sample
      : await sampleIndexedEvents(ctx, input.window, input.pattern, Math.min(count, AWS_CLASSIFY_LIMIT));
  const ids = [
    ...new Set([...sample, ...events].map((e) => e.transactionId).filter((id): id is string => id !== null)),
  ];
  const applied = await appliedTransactions(ctx, ids);
  const permanent: Permanent = ctx.config.failureIndexTable
    ? await permanentTransactions(
        ctx,
        ctx.config.queuePairs.map((p) => p.id),
      )
    : null;
  return replayPreviewSchema.parse({
    count,
    sample,
    sampleAlreadyApplied: sample.filter((e) => e.transactionId !== null && applied.has(e.transactionId)).length,
    idempotencyHorizon: iso(ctx.now() - IDEMPOTENCY_TTL_HOURS * 3_600_000),
    classification: classify(events, applied, count, permanent),
    supports: { excludeDeadLettered: false, rate: false, note: AWS_REPLAY_NOTE },
  });
}

/** Shown beside the replay form on AWS (the start refuses both options: server/platform/aws/replays.ts). */
const AWS_REPLAY_NOTE =
  'EventBridge replays every matching event as fast as it can: it cannot skip dead-lettered transactions (an event pattern matches fields, not ids) and has no rate. Quarantine the dead letters first if they must not be replayed.';
