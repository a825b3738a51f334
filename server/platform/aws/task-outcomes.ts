import 'server-only';
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { FAILURE_INDEX_GSI, failureIndexKeys } from '../../../infra/platform/layout';
import { OUTCOME_SETTLE_MS } from '../../../infra/platform/limits';
import type { TaskOutcome } from '../platform.schema';
import type { Ctx } from './clients';
import { call } from './errors';

/**
 * Redrive and replay outcomes on AWS, from the failure index (layout in infra/platform/layout.ts):
 * what came back to a DLQ since a task started. The processor indexes every last failure, so a
 * message (or event) that dead-letters again is an entry with `at` ≥ the task's start:
 * - by transaction (byTransaction GSI) when the task knows what it sent (selected redrives);
 * - per queue (the DLQ's class items, then byClass with classSk ≥ the start) when it does not
 *   (message-move tasks, replays): an upper bound, as live traffic's new failures count too.
 * SQS does not say when a moved message has been processed, so until the outcome settles
 * (OUTCOME_SETTLE_MS after the task's end) the messages not seen back count as not processed yet;
 * once settled, applied = sent − back in the DLQ.
 * Cost: DynamoDB reads are not in the read cache (read-cache-clients.ts), so each adapter keeps
 * its outcomes here: a settled one for good, an unsettled one for OUTCOME_REFRESH_MS (or until the
 * task's state changes); list pages compute at most OUTCOME_LIST_BUDGET missing outcomes, and none
 * for tasks that ended more than OUTCOME_HORIZON_MS ago (getRedrive / getReplay still do). One
 * outcome costs 1 + (classes failing since the start) queries per queue, or for a selected
 * redrive at most TX_LOOKUP_LIMIT byTransaction queries (its transactions not yet seen back).
 * So a 50-row page polled every 5 s sends at most 5 × that, and nothing once its rows settled.
 */

/** An unsettled outcome is read again after this long (the console polls every 5 s). */
export const OUTCOME_REFRESH_MS = 10_000;
/** List pages compute no outcome for a task that ended longer ago than this (unless cached). */
export const OUTCOME_HORIZON_MS = 86_400_000;
/** Outcomes a list page may compute (the others come with later polls, from the cache). */
export const OUTCOME_LIST_BUDGET = 5;
/** At most this many transactions are looked up one by one; more: the DLQ's entries since the start are paged. */
export const TX_LOOKUP_LIMIT = 25;
/** The most failure-index entries one outcome pages through (queue-level scans). */
export const ENTRY_SCAN_LIMIT = 10_000;

export class OutcomeCache {
  private readonly outcomes = new Map<string, { outcome: TaskOutcome; at: number; stamp: string }>();
  private readonly ends = new Map<string, number>();

  /**
   * The outcome computed for the task in the same state (`stamp`: its status and counts): a
   * settled one for good, an unsettled one for OUTCOME_REFRESH_MS.
   */
  fresh(key: string, stamp: string, now: number): TaskOutcome | undefined {
    const hit = this.outcomes.get(key);
    if (!hit || hit.stamp !== stamp) return hit?.outcome.settled ? hit.outcome : undefined;
    return hit.outcome.settled || now - hit.at < OUTCOME_REFRESH_MS ? hit.outcome : undefined;
  }
  put(key: string, stamp: string, outcome: TaskOutcome, now: number): void {
    this.outcomes.delete(key);
    this.outcomes.set(key, { outcome, at: now, stamp });
    trim(this.outcomes);
  }
  /** When this process first saw the task ended (SQS reports no end time for message-move tasks): never earlier than the real end. */
  endSeenAt(key: string, now: number): number {
    const seen = this.ends.get(key);
    if (seen !== undefined) return seen;
    this.ends.set(key, now);
    trim(this.ends);
    return now;
  }
}

function trim(map: Map<string, unknown>): void {
  while (map.size > 2_000) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
}

// One cache per adapter: adapter.ts parses a config object of its own for each platform it makes.
const caches = new WeakMap<object, OutcomeCache>();
export function outcomeCacheOf(ctx: Ctx): OutcomeCache {
  let cache = caches.get(ctx.config);
  if (!cache) caches.set(ctx.config, (cache = new OutcomeCache()));
  return cache;
}

/** What a list page may still compute (shared by its rows). */
export interface OutcomeBudget {
  left: number;
}

/**
 * Whether an outcome is computed now: always for one task (mode 'one'); on a list page only for a
 * task running or ended within the horizon, while the page's budget lasts.
 */
export function mayCompute(endMs: number | null, now: number, budget: OutcomeBudget | null): boolean {
  if (!budget) return true;
  if (endMs !== null && now - endMs >= OUTCOME_HORIZON_MS) return false;
  if (budget.left <= 0) return false;
  budget.left--;
  return true;
}

export const isSettled = (endMs: number | null, now: number) => endMs !== null && now >= endMs + OUTCOME_SETTLE_MS;

const PENDING =
  '; SQS does not say when a message is processed: until the outcome settles (150 s after the end) those not back in the DLQ count as not processed yet';

/** The outcome of `sent` messages of which `back` came back: applied only once settled. */
export function outcomeOf(sent: number, back: number, settled: boolean, basis: string): TaskOutcome {
  const backInDlq = Math.min(back, sent);
  return settled
    ? { sent, processed: sent, applied: sent - backInDlq, backInDlq, settled, basis }
    : { sent, processed: backInDlq, applied: 0, backInDlq, settled, basis: basis + PENDING };
}

/** Counts nothing yet: the failure index could not be read (the next read tries again; never settled). */
export function unreadOutcome(sent: number, error: unknown): TaskOutcome {
  const why = error instanceof Error ? error.message : String(error);
  return {
    sent,
    processed: 0,
    applied: 0,
    backInDlq: 0,
    settled: false,
    uncounted: 'nothing',
    basis: `the failure index could not be read (${why}); counted at the next read`,
  };
}

/** One task's outcome through the cache: `compute` runs only when the cache and the budget allow it. */
export async function cachedOutcome(
  ctx: Ctx,
  task: {
    what: 'redrive' | 'replay';
    id: string;
    key: string;
    stamp: string;
    ended: boolean;
    endedAt: string | null;
    sent: number;
  },
  budget: OutcomeBudget | null,
  compute: (endMs: number | null, now: number) => Promise<TaskOutcome | undefined>,
): Promise<TaskOutcome | undefined> {
  const cache = outcomeCacheOf(ctx);
  const now = ctx.now();
  const cached = cache.fresh(task.key, task.stamp, now);
  if (cached) return cached;
  const endMs = !task.ended ? null : task.endedAt ? Date.parse(task.endedAt) : cache.endSeenAt(task.key, now);
  if (!mayCompute(endMs, now, budget)) return undefined;
  let outcome: TaskOutcome | undefined;
  try {
    outcome = await compute(endMs, now);
  } catch (error) {
    console.warn(
      JSON.stringify({
        msg: `${task.what} outcome: the failure index could not be read`,
        [task.what]: task.id,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
    );
    return unreadOutcome(task.sent, error);
  }
  if (outcome) cache.put(task.key, task.stamp, outcome, now);
  return outcome;
}

function tableOf(ctx: Ctx): string | null {
  return ctx.config.failureIndexTable ?? null;
}

export const hasFailureIndex = (ctx: Ctx) => tableOf(ctx) !== null;

async function pages(
  ctx: Ctx,
  input: QueryCommandInput,
  what: string,
  onPage: (items: Record<string, unknown>[], count: number) => boolean,
): Promise<void> {
  let start: Record<string, unknown> | undefined;
  do {
    const res = await call(what, () => ctx.aws.dynamodb.send(new QueryCommand({ ...input, ExclusiveStartKey: start })));
    if (!onPage(res.Items ?? [], res.Count ?? 0)) return;
    start = res.LastEvaluatedKey;
  } while (start);
}

/** The DLQ's classes with a failure at or after `since` (their class item's lastSeen): one query. */
async function classesSince(ctx: Ctx, table: string, queueId: string, since: string): Promise<string[]> {
  const ids: string[] = [];
  await pages(
    ctx,
    {
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'lastSeen >= :since',
      ProjectionExpression: 'sk',
      ExpressionAttributeValues: { ':pk': failureIndexKeys.classesPk(queueId), ':since': since },
    },
    'Query of the failure index (classes since a task started)',
    (items) => (ids.push(...items.map((i) => String(i.sk))), true),
  );
  return ids;
}

/** A class's entries since `since` (byClass, classSk = `at#messageId` ≥ since). */
function classSince(table: string, queueId: string, classId: string, since: string, select: 'COUNT' | 'tx') {
  return {
    TableName: table,
    IndexName: FAILURE_INDEX_GSI.byClass,
    KeyConditionExpression: 'classKey = :k AND classSk >= :since',
    ExpressionAttributeValues: { ':k': failureIndexKeys.classKey(queueId, classId), ':since': since },
    ...(select === 'COUNT' ? { Select: 'COUNT' as const } : { ProjectionExpression: 'transactionId' }),
  };
}

/** Dead letters indexed on the queue's DLQ at or after `since`, counted up to `cap`. */
export async function deadLettersSince(ctx: Ctx, queueId: string, since: string, cap: number): Promise<number> {
  const table = tableOf(ctx);
  if (!table || cap <= 0) return 0;
  let total = 0;
  for (const classId of await classesSince(ctx, table, queueId, since)) {
    await pages(
      ctx,
      classSince(table, queueId, classId, since, 'COUNT'),
      `Query of the failure index (class ${classId})`,
      (_, n) => {
        total += n;
        return total < cap;
      },
    );
    if (total >= cap) return cap;
  }
  return total;
}

/**
 * Adds to `found` the transactions of `sent` dead-lettered on the queue's DLQ at or after `since`
 * (found ones are not looked up again: they came back). Up to TX_LOOKUP_LIMIT pending
 * transactions: one byTransaction query each (8 at a time); more: the DLQ's entries since `since`
 * are paged (at most ENTRY_SCAN_LIMIT). Answers false when that scan stopped at its limit.
 */
export async function transactionsBackSince(
  ctx: Ctx,
  queueId: string,
  sent: readonly string[],
  since: string,
  found: Set<string>,
): Promise<boolean> {
  const table = tableOf(ctx);
  if (!table) return true;
  const pending = [...new Set(sent)].filter((tx) => !found.has(tx));
  if (pending.length <= TX_LOOKUP_LIMIT) {
    for (let i = 0; i < pending.length; i += 8) {
      await Promise.all(
        pending.slice(i, i + 8).map(async (tx) => {
          const res = await call('Query of the failure index (transaction since a task started)', () =>
            ctx.aws.dynamodb.send(
              new QueryCommand({
                TableName: table,
                IndexName: FAILURE_INDEX_GSI.byTransaction,
                KeyConditionExpression: 'txKey = :k AND #at >= :since',
                ExpressionAttributeNames: { '#at': 'at' },
                ExpressionAttributeValues: { ':k': failureIndexKeys.txKey(queueId, tx), ':since': since },
                Select: 'COUNT',
                Limit: 1,
              }),
            ),
          );
          if ((res.Count ?? 0) > 0) found.add(tx);
        }),
      );
    }
    return true;
  }
  const wanted = new Set(pending);
  let scanned = 0;
  for (const classId of await classesSince(ctx, table, queueId, since)) {
    await pages(
      ctx,
      classSince(table, queueId, classId, since, 'tx'),
      `Query of the failure index (class ${classId})`,
      (items) => {
        for (const item of items)
          if (typeof item.transactionId === 'string' && wanted.has(item.transactionId)) found.add(item.transactionId);
        scanned += items.length;
        return scanned < ENTRY_SCAN_LIMIT;
      },
    );
    if (scanned >= ENTRY_SCAN_LIMIT) return false;
  }
  return true;
}
