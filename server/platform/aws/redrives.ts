import 'server-only';
import {
  CancelMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
} from '@aws-sdk/client-sqs';
import { MAX_REDRIVE_RATE } from '../../../infra/platform/limits';
import { MAX_EXPORTED_DEAD_LETTERS, type StartRedriveInput } from '../inputs.schema';
import { redriveTaskSchema, type Page, type RedriveTask } from '../platform.schema';
import { PlatformError } from '../port';
import type { Ctx } from './clients';
import type { AwsQueuePairConfig } from './config';
import { call, readAfterAcceptedWrite } from './errors';
import { classEntries } from './failure-index';
import { int, queueNameFromUrl, toRedriveTask, unlistedTask } from './queue-mappers';
import { pairFor, queueAttributes } from './queue-pairs';
import { withRedriveOutcome } from './redrive-outcomes';
import {
  selectedTaskOf,
  type QueueRecords,
  type RedriveRecord,
  type RedriveRegistry,
  type RedriveSummary,
} from './redrive-registry';
import { startSelected } from './selected-redrive';
import { OUTCOME_LIST_BUDGET } from './task-outcomes';

/**
 * Redrives on SQS. Redrive of the whole DLQ = StartMessageMoveTask (≤ 500 msg/s, one active task
 * per queue, moved messages get new ids); a redrive of selected ids runs in the console task that
 * started it (selected-redrive.ts) and conflicts with a message-move task on the same DLQ both
 * ways. What SQS does not keep (who started a task, our selected redrives) is in the console's
 * state table (redrive-registry.ts), so every console task answers alike.
 * Once StartMessageMoveTask has succeeded, startRedrive never throws: if the read after it fails
 * it returns the task RUNNING with the depth read before the start as its total. SQS lists a
 * TaskHandle only while RUNNING, so a task that ends before we list it is tied to the newest
 * handle-less entry that started between our request and its answer (see START_CLOCK_ALLOWANCE_MS).
 */

async function moveTasks(ctx: Ctx, pair: AwsQueuePairConfig) {
  const res = await call(`ListMessageMoveTasks on ${queueNameFromUrl(pair.dlqUrl)}`, () =>
    ctx.aws.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: pair.dlqArn, MaxResults: 10 })),
  );
  return res.Results ?? [];
}

/**
 * How far SQS's StartedTimestamp may sit outside our [request, answer] interval of a
 * StartMessageMoveTask and still be that call's task. Hosts run NTP (Amazon Time Sync: well under
 * a second off) and the SDK corrects SigV4 clock skew, so a few seconds cover a badly synced host.
 * A wrong match would need another task on the same DLQ to start AND finish (SQS allows one active
 * task per queue, so it cannot overlap ours) within these 5 s before our start: only the newest
 * unclaimed entry is taken, and ours, started after any task that had to end first, is the newest.
 */
export const START_CLOCK_ALLOWANCE_MS = 5_000;

/** While a task we started is not listed by SQS yet, reads report it RUNNING for this long. */
const UNLISTED_GRACE_MS = 5 * 60_000;

/**
 * ListMessageMoveTasks, plus: a task we started that SQS no longer lists by handle (it lists a
 * TaskHandle only while RUNNING, and a small DLQ can be moved before our first read) is tied to the
 * newest handle-less entry that started between our request and its answer (± the allowance).
 */
async function listedTasks(
  ctx: Ctx,
  registry: RedriveRegistry,
  pair: AwsQueuePairConfig,
  known?: RedriveSummary,
): Promise<{ entries: ListMessageMoveTasksResultEntry[]; view: QueueRecords }> {
  const [entries, view] = await Promise.all([moveTasks(ctx, pair), registry.view(pair.id, ctx.now())]);
  // A record older than the view's window still takes part (a lookup by its id).
  if (known && !view.get(known.id)) view.add(known);
  for (const record of view.unlisted()) {
    if (entries.some((e) => e.TaskHandle === record.id)) continue; // redriveTaskOf records it
    const from = (record.requestedAtMs ?? 0) - START_CLOCK_ALLOWANCE_MS;
    const to = (record.acceptedAtMs ?? record.requestedAtMs ?? 0) + START_CLOCK_ALLOWANCE_MS;
    let newest: number | null = null;
    for (const e of entries) {
      const t = e.StartedTimestamp;
      if (t === undefined || t < from || t > to) continue;
      if (e.TaskHandle) continue; // RUNNING under another handle: not ours
      if (view.byStartTime(t)) continue; // already another record's task
      if (newest === null || t > newest) newest = t;
    }
    if (newest !== null) await view.setStarted(record, newest);
  }
  return { entries, view };
}

/** A listed message-move task as a redrive, recording what the listing tells in the registry. */
async function redriveTaskOf(
  ctx: Ctx,
  view: QueueRecords,
  pair: AwsQueuePairConfig,
  e: ListMessageMoveTasksResultEntry,
): Promise<RedriveTask> {
  const record = await view.recordListed(
    pair.id,
    pair.dlqArn,
    ctx.config.region,
    e.TaskHandle,
    e.StartedTimestamp ?? null,
  );
  return toRedriveTask(ctx, pair, e, record);
}

async function tasksOf(ctx: Ctx, registry: RedriveRegistry, pair: AwsQueuePairConfig): Promise<RedriveTask[]> {
  const { entries, view } = await listedTasks(ctx, registry, pair);
  const moves: RedriveTask[] = [];
  for (const e of entries) moves.push(await redriveTaskOf(ctx, view, pair, e));
  return [...moves, ...view.selected()];
}

export async function listRedrives(
  ctx: Ctx,
  registry: RedriveRegistry,
  input: { limit?: number; queueId?: string },
): Promise<Page<RedriveTask>> {
  const pairs = input.queueId ? [pairFor(ctx, input.queueId)] : ctx.config.queuePairs;
  const lists = await Promise.all(pairs.map((p) => tasksOf(ctx, registry, p)));
  const all = lists.flat().sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  // SQS keeps only the 10 most recent tasks per queue: there is no further page to fetch.
  const budget = { left: OUTCOME_LIST_BUDGET };
  const items = await Promise.all(
    all.slice(0, input.limit ?? 50).map((t) => withRedriveOutcome(ctx, registry, t, budget)),
  );
  return { items, nextCursor: null };
}

/** Resolves a redrive id (see findRedrive); the task comes with its outcome. */
export async function getRedrive(
  ctx: Ctx,
  registry: RedriveRegistry,
  id: string,
): Promise<{ task: RedriveTask; handle: string | null } | null> {
  const found = await findRedrive(ctx, registry, id);
  return found ? { ...found, task: await withRedriveOutcome(ctx, registry, found.task, null) } : null;
}

/** Resolves a redrive id: a TaskHandle, our selected-redrive id, or `${queueId}:${startedTimestamp}`. */
async function findRedrive(
  ctx: Ctx,
  registry: RedriveRegistry,
  id: string,
): Promise<{ task: RedriveTask; handle: string | null } | null> {
  const record = await registry.get(id, ctx.now());
  if (record?.selected) return { task: selectedTaskOf(record), handle: null };
  const synthetic = /^(.+):(\d+)$/.exec(id);
  const pairs = record
    ? [pairFor(ctx, record.queueId)]
    : synthetic
      ? ctx.config.queuePairs.filter((p) => p.id === synthetic[1])
      : ctx.config.queuePairs;
  for (const pair of pairs) {
    const { entries, view } = await listedTasks(ctx, registry, pair, record ?? undefined);
    // The listing may just have tied our record to its StartedTimestamp.
    const known = record ? (view.get(record.id) ?? record) : null;
    for (const e of entries) {
      const matches =
        e.TaskHandle === id ||
        (known?.startedAtMs != null && e.StartedTimestamp === known.startedAtMs) ||
        (synthetic !== null && String(e.StartedTimestamp) === synthetic[2]);
      if (matches) return { task: await redriveTaskOf(ctx, view, pair, e), handle: e.TaskHandle ?? null };
    }
    // Started moments ago and not listed yet (eventual consistency): still RUNNING as far as we know.
    if (
      known &&
      known.startedAtMs === null &&
      known.acceptedAtMs !== null &&
      ctx.now() - known.acceptedAtMs < UNLISTED_GRACE_MS
    ) {
      return { task: unlistedTask(ctx, pair, known, null), handle: known.id };
    }
  }
  return null;
}

/**
 * The dead letters of the chosen classes, from the failure index: a class-selected redrive moves
 * them as a selected redrive does (at most MAX_EXPORTED_DEAD_LETTERS per run).
 */
async function classMessageIds(ctx: Ctx, queueId: string, classIds: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const classId of classIds) {
    const entries = await classEntries(ctx, queueId, classId, MAX_EXPORTED_DEAD_LETTERS - ids.length);
    ids.push(...entries.map((e) => e.messageId));
    if (ids.length >= MAX_EXPORTED_DEAD_LETTERS) break;
  }
  if (ids.length === 0)
    throw new PlatformError(
      'Conflict',
      `the failure index holds no dead letters of the chosen classes in ${queueId}: nothing to redrive`,
      'classIds',
    );
  return ids;
}

export async function startRedrive(
  ctx: Ctx,
  registry: RedriveRegistry,
  input: StartRedriveInput,
  options: { peekVisibilitySeconds?: number } = {},
): Promise<RedriveTask> {
  const pair = pairFor(ctx, input.queueId);
  if (input.rate !== undefined && (input.rate < 1 || input.rate > MAX_REDRIVE_RATE)) {
    throw new PlatformError('Invalid', `rate must be 1-${MAX_REDRIVE_RATE} messages/s (SQS limit)`, 'rate');
  }
  const selected = await registry.runningSelected(pair.id, ctx.now());
  if (selected)
    throw new PlatformError(
      'Conflict',
      `redrive ${selected.id} is still moving selected messages of ${pair.id}; wait for it or cancel it`,
    );
  let messageIds = input.messageIds;
  if (input.classIds) {
    if (messageIds) throw new PlatformError('Invalid', 'classIds: choose messages or classes, not both', 'classIds');
    messageIds = await classMessageIds(ctx, pair.id, input.classIds);
  }
  if (messageIds) {
    const active = (await moveTasks(ctx, pair)).find((e) => e.Status === 'RUNNING' || e.Status === 'CANCELLING');
    if (active) {
      throw new PlatformError(
        'Conflict',
        `a message-move task is ${active.Status} on ${queueNameFromUrl(pair.dlqUrl)}: selected messages cannot be moved until it ends`,
      );
    }
    return startSelected(
      ctx,
      registry,
      pair,
      messageIds,
      input.rate ?? null,
      options.peekVisibilitySeconds,
      input.classIds,
    );
  }
  // The depth before the start is the task's total until SQS lists it. Best effort: the start does
  // not depend on it, and the first listing replaces it.
  let depthBefore: number | null = null;
  try {
    depthBefore = int((await queueAttributes(ctx, pair.dlqUrl)).ApproximateNumberOfMessages);
  } catch {
    depthBefore = null;
  }
  const requestedAtMs = ctx.now();
  const res = await call(`StartMessageMoveTask on ${queueNameFromUrl(pair.dlqUrl)}`, () =>
    ctx.aws.sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: pair.dlqArn,
        DestinationArn: pair.sourceArn,
        ...(input.rate !== undefined ? { MaxNumberOfMessagesPerSecond: input.rate } : {}),
      }),
    ),
  );
  const handle = res.TaskHandle;
  if (!handle) throw new PlatformError('Unavailable', 'StartMessageMoveTask returned no TaskHandle');
  const acceptedAtMs = ctx.now();
  const record: RedriveRecord = {
    id: handle,
    queueId: pair.id,
    sourceArn: pair.dlqArn,
    region: ctx.config.region,
    createdAtMs: requestedAtMs,
    startedBy: ctx.caller.id,
    startedAtMs: null,
    requestedAtMs,
    acceptedAtMs,
    depthBefore,
    selected: null,
  };
  // The task runs whatever happens next: a failed write of our record costs only who started it
  // (and, for a task SQS no longer lists by handle, its id), not the answer.
  try {
    await registry.store.create(record);
  } catch (error) {
    console.warn(
      JSON.stringify({
        msg: 'redrive: the record of a started message-move task could not be stored',
        handle,
        queueId: pair.id,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
    );
  }
  // From here on the task exists: a failed or empty read returns what is known (RUNNING, total =
  // depth before the start); getRedrive/listRedrives fill in the rest later.
  return readAfterAcceptedWrite(
    `StartMessageMoveTask on ${pair.id}`,
    async () => {
      const { entries, view } = await listedTasks(ctx, registry, pair, record);
      const known = view.get(handle) ?? record;
      const entry =
        entries.find((e) => e.TaskHandle === handle) ??
        (known.startedAtMs !== null ? entries.find((e) => e.StartedTimestamp === known.startedAtMs) : undefined);
      return entry ? redriveTaskOf(ctx, view, pair, entry) : null;
    },
    () => unlistedTask(ctx, pair, record, input.rate ?? null),
  );
}

export async function cancelRedrive(ctx: Ctx, registry: RedriveRegistry, id: string): Promise<RedriveTask> {
  const found = await findRedrive(ctx, registry, id);
  if (!found)
    throw new PlatformError(
      'NotFound',
      `no redrive task ${id} (SQS lists only the 10 most recent tasks per queue)`,
      'id',
    );
  const { task, handle } = found;
  if (task.selection !== 'all') {
    // One conditional write: of two cancels (in any tasks), one lands; the runner stops before its next message.
    const after = task.status === 'RUNNING' ? await registry.requestCancel(id) : null;
    if (!after?.selected) {
      const now = (await registry.get(id, ctx.now()))?.selected?.status ?? task.status;
      throw new PlatformError('Conflict', `redrive ${id} is ${now}: only a RUNNING redrive can be cancelled`);
    }
    return selectedTaskOf(after);
  }
  if (task.status !== 'RUNNING' || !handle) {
    throw new PlatformError('Conflict', `redrive ${id} is ${task.status}: SQS cancels only RUNNING message-move tasks`);
  }
  const res = await call(`CancelMessageMoveTask on ${task.queueId}`, () =>
    ctx.aws.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: handle })),
  );
  return redriveTaskSchema.parse({
    ...task,
    status: 'CANCELLING',
    moved: Math.max(task.moved, res.ApproximateNumberOfMessagesMoved ?? 0),
  });
}
