import 'server-only';
import { createHash } from 'node:crypto';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { MAX_RECEIVE_COUNT } from '../../../infra/platform/description';
import { MAX_REDRIVE_RATE } from '../../../infra/platform/limits';
import type { ListDeadLettersInput, StartRedriveInput } from '../inputs.schema';
import {
  deadLetterMessageSchema,
  queuePairSchema,
  redriveTaskSchema,
  type DeadLetterMessage,
  type Page,
  type QueuePair,
  type QueueStats,
  type RedriveTask,
  type TaskStatus,
} from '../platform.schema';
import { PlatformError } from '../port';
import { iso, type Ctx } from './clients';
import type { AwsQueuePairConfig } from './config';
import { call, readAfterAcceptedWrite } from './errors';

/**
 * Queue pairs, dead letters and redrives on SQS.
 *
 * Dead-letter "peek": SQS has no peek. listDeadLetters RECEIVES messages (each receive adds 1 to
 * ApproximateReceiveCount, which is what `receiveCount` reports) with a visibility timeout of a
 * couple of seconds (`peekVisibilitySeconds`): long enough that one page of receives (10 at a
 * time) sees distinct messages, short enough that the messages are visible again for a redrive
 * moments later. A page is therefore a SAMPLE of the queue, not a stable slice: the cursor
 * carries short hashes of the ids already shown so the next page shows other messages.
 *
 * Redrive of the whole DLQ = StartMessageMoveTask (≤ 500 msg/s, one active task per queue,
 * moved messages get new ids). StartMessageMoveTask cannot select messages, so a redrive of
 * selected ids receives the DLQ, SendMessage's each selected message (same body and message
 * attributes) to the source queue, then DeleteMessage's it from the DLQ; other messages received
 * on the way stay hidden until the scan ends (so the scan reaches the rest), then are all made
 * visible again. The scan long-polls, and before it calls a selected message missing it waits out
 * the peek visibility (a message the operator has just looked at is hidden for that long). A run
 * that did not move every selected message ends FAILED with `moved` = how many it moved. If the
 * delete fails after the send, the message is in both queues: the processor is idempotent by
 * transaction id, so it is applied once.
 * Once StartMessageMoveTask has succeeded, startRedrive never throws: if the read after it fails
 * it returns the task RUNNING with the depth read before the start as its total. SQS lists a
 * TaskHandle only while RUNNING, so a task that ends before we list it is tied to the newest
 * handle-less entry that started between our request and its answer (see START_CLOCK_ALLOWANCE_MS).
 * A selected redrive runs in the background of this process (startRedrive returns it RUNNING, at
 * the requested rate), is tracked in memory, can be cancelled, and conflicts with a message-move
 * task on the same DLQ both ways. If the process stops mid-way, the messages it held become
 * visible in the DLQ again after MOVE_VISIBILITY_SECONDS: nothing is lost. The audit record of
 * the ops layer is its durable trace.
 */

export interface RedriveRecord {
  queueId: string;
  sourceArn: string;
  /** TaskHandle (move tasks) or our id (selected redrives). */
  id: string;
  startedAtMs: number | null;
  startedBy: string | null;
  /** Selected-message redrives only: the task as it progresses. */
  selectedTask?: RedriveTask;
  /** Selected-message redrives only: set by cancelRedrive, checked before each message. */
  cancelRequested?: boolean;
  /** Selected-message redrives only: settles when the background run ends (never rejects). */
  done?: Promise<void>;
  /** Move tasks we started: our clock just before StartMessageMoveTask was sent. */
  requestedAtMs?: number;
  /** Move tasks we started: our clock when StartMessageMoveTask answered. */
  acceptedAtMs?: number;
  /** Move tasks we started: DLQ depth read just before the start (the total until SQS lists the task). */
  depthBefore?: number | null;
}

/** In-memory store of the TaskHandles we started (AWS returns a handle only while RUNNING). */
export class RedriveRegistry {
  private readonly byId = new Map<string, RedriveRecord>();
  private readonly byStart = new Map<string, RedriveRecord>();

  put(record: RedriveRecord): void {
    this.byId.set(record.id, record);
    // Bounded: forget the oldest finished records (SQS itself keeps only the last 10 tasks per queue).
    if (this.byId.size > 1000) {
      for (const [id, r] of this.byId) {
        if (this.byId.size <= 900) break;
        const running =
          r.selectedTask && (r.selectedTask.status === 'RUNNING' || r.selectedTask.status === 'CANCELLING');
        if (!running) this.byId.delete(id);
      }
    }
    if (record.startedAtMs !== null) this.byStart.set(`${record.sourceArn}@${record.startedAtMs}`, record);
  }
  get(id: string): RedriveRecord | undefined {
    return this.byId.get(id);
  }
  /** Ties a record to the StartedTimestamp SQS reports for it (the only key left once the task ends). */
  setStarted(record: RedriveRecord, startedAtMs: number): void {
    record.startedAtMs = startedAtMs;
    this.byStart.set(`${record.sourceArn}@${startedAtMs}`, record);
  }
  /** Move tasks we started on this DLQ whose StartedTimestamp is not known yet. */
  unlisted(sourceArn: string): RedriveRecord[] {
    return [...this.byId.values()].filter(
      (r) => r.sourceArn === sourceArn && !r.selectedTask && r.startedAtMs === null && r.requestedAtMs !== undefined,
    );
  }
  byStartTime(sourceArn: string, startedAtMs: number): RedriveRecord | undefined {
    return this.byStart.get(`${sourceArn}@${startedAtMs}`);
  }
  /** A selected-message redrive still running on the queue, if any. */
  runningSelected(queueId: string): RedriveTask | undefined {
    return this.selected(queueId).find((t) => t.status === 'RUNNING' || t.status === 'CANCELLING');
  }
  selected(queueId?: string): RedriveTask[] {
    return [...this.byId.values()].flatMap((r) =>
      r.selectedTask && (!queueId || r.queueId === queueId) ? [r.selectedTask] : [],
    );
  }
}

export function queueNameFromUrl(url: string): string {
  const name = new URL(url).pathname.split('/').filter(Boolean).pop();
  if (!name) throw new PlatformError('Invalid', `not an SQS queue URL: ${url}`);
  return name;
}

export function pairFor(ctx: Ctx, queueId: string): AwsQueuePairConfig {
  const pair = ctx.config.queuePairs.find((p) => p.id === queueId);
  if (!pair) {
    throw new PlatformError(
      'NotFound',
      `unknown queue pair "${queueId}" (known: ${ctx.config.queuePairs.map((p) => p.id).join(', ')})`,
      'queueId',
    );
  }
  return pair;
}

function int(value: string | undefined): number {
  const n = Number(value ?? '0');
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

// ---------------------------------------------------------------- queue pairs

async function queueAttributes(ctx: Ctx, url: string) {
  const res = await call(`GetQueueAttributes on ${queueNameFromUrl(url)}`, () =>
    ctx.aws.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'RedrivePolicy'],
      }),
    ),
  );
  return res.Attributes ?? {};
}

/** Latest ApproximateAgeOfOldestMessage (Maximum, 1-minute) of each queue over the last 10 minutes. */
async function oldestAges(ctx: Ctx, queueNames: string[]): Promise<Map<string, number>> {
  const end = ctx.now();
  const res = await call('GetMetricData ApproximateAgeOfOldestMessage', () =>
    ctx.aws.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(end - 10 * 60_000),
        EndTime: new Date(end),
        ScanBy: 'TimestampDescending',
        MetricDataQueries: queueNames.map((name, i) => ({
          Id: `age${i}`,
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/SQS',
              MetricName: 'ApproximateAgeOfOldestMessage',
              Dimensions: [{ Name: 'QueueName', Value: name }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        })),
      }),
    ),
  );
  const ages = new Map<string, number>();
  for (const r of res.MetricDataResults ?? []) {
    const index = Number(r.Id?.slice(3));
    const name = queueNames[index];
    if (name === undefined) continue;
    // TimestampDescending: the first value is the latest.
    ages.set(name, Math.max(0, r.Values?.[0] ?? 0));
  }
  return ages;
}

export async function listQueuePairs(ctx: Ctx): Promise<QueuePair[]> {
  const pairs = ctx.config.queuePairs;
  const names = pairs.flatMap((p) => [queueNameFromUrl(p.sourceUrl), queueNameFromUrl(p.dlqUrl)]);
  const [attributes, ages] = await Promise.all([
    Promise.all(
      pairs.map(async (p) => [await queueAttributes(ctx, p.sourceUrl), await queueAttributes(ctx, p.dlqUrl)] as const),
    ),
    oldestAges(ctx, names),
  ]);
  return pairs.map((p, i) => {
    const [src, dlq] = attributes[i] ?? [{}, {}];
    const stats = (url: string, a: Record<string, string>): QueueStats => {
      const name = queueNameFromUrl(url);
      const visible = int(a.ApproximateNumberOfMessages);
      return {
        name,
        visible,
        inFlight: int(a.ApproximateNumberOfMessagesNotVisible),
        // The metric lags by a minute or more: an empty queue has no oldest message.
        oldestAgeSeconds: visible === 0 ? 0 : (ages.get(name) ?? 0),
      };
    };
    let maxReceiveCount = MAX_RECEIVE_COUNT;
    if (src.RedrivePolicy) {
      let policy: { maxReceiveCount?: number | string };
      try {
        policy = JSON.parse(src.RedrivePolicy) as { maxReceiveCount?: number | string };
      } catch {
        throw new PlatformError('Unavailable', `queue ${p.id} has an unreadable RedrivePolicy: ${src.RedrivePolicy}`);
      }
      maxReceiveCount = int(String(policy.maxReceiveCount ?? MAX_RECEIVE_COUNT)) || MAX_RECEIVE_COUNT;
    }
    return queuePairSchema.parse({
      id: p.id,
      region: ctx.config.region,
      source: stats(p.sourceUrl, src),
      dlq: stats(p.dlqUrl, dlq),
      maxReceiveCount,
    });
  });
}

// ---------------------------------------------------------------- dead letters

/**
 * The cursor: how many distinct messages the pages so far examined, and 4-byte hashes of the
 * latest MAX_SEEN of them (shown, or searched without a match), so the next page skips them.
 * `dl2.<searched>.<base64url hashes>`; a `dl1.<hashes>` cursor (before the count) is still read.
 */
const MAX_SEEN = 600;
function idHash(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 8);
}
const CURSOR_PREFIX = 'dl2.';
const V1_CURSOR_PREFIX = 'dl1.';
interface DeadLetterCursor {
  seen: Set<string>;
  searched: number;
}
function encodeCursor(searched: number, hashes: string[]): string {
  return `${CURSOR_PREFIX}${searched}.${Buffer.from(hashes.slice(-MAX_SEEN).join(''), 'hex').toString('base64url')}`;
}
function decodeCursor(cursor: string | undefined): DeadLetterCursor {
  if (!cursor) return { seen: new Set(), searched: 0 };
  const invalid = () => new PlatformError('Invalid', 'cursor is not a dead-letter cursor of this console', 'cursor');
  let body: string;
  let searched: number | null = null;
  if (cursor.startsWith(CURSOR_PREFIX)) {
    const m = /^(\d{1,9})\.([A-Za-z0-9_-]*)$/.exec(cursor.slice(CURSOR_PREFIX.length));
    if (!m) throw invalid();
    searched = Number(m[1]);
    body = m[2]!;
  } else if (cursor.startsWith(V1_CURSOR_PREFIX)) {
    body = cursor.slice(V1_CURSOR_PREFIX.length);
    if (!/^[A-Za-z0-9_-]+$/.test(body)) throw invalid();
  } else throw invalid();
  const hex = Buffer.from(body, 'base64url').toString('hex');
  if (hex.length % 8 !== 0) throw invalid();
  const seen = new Set<string>();
  for (let i = 0; i < hex.length; i += 8) seen.add(hex.slice(i, i + 8));
  // The count covers messages whose hashes the cursor no longer carries, never fewer than it carries.
  return { seen, searched: Math.max(searched ?? 0, seen.size) };
}

function transactionIdOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { detail?: { transactionId?: unknown }; transactionId?: unknown };
    const id = parsed.detail?.transactionId ?? parsed.transactionId;
    return typeof id === 'string' ? id : null;
  } catch {
    return null; // a poison message: its body is not JSON, which is why it is here
  }
}

function attributeText(v: MessageAttributeValue | undefined): string | null {
  if (!v) return null;
  if (v.StringValue !== undefined) return v.StringValue;
  if (v.BinaryValue !== undefined) return `base64:${Buffer.from(v.BinaryValue).toString('base64')}`;
  return null;
}

export function toDeadLetter(ctx: Ctx, pair: AwsQueuePairConfig, m: Message): DeadLetterMessage {
  const sys = m.Attributes ?? {};
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(sys)) if (v !== undefined) attributes[k] = v;
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
    const text = attributeText(v);
    if (text !== null) attributes[k] = text;
  }
  const sent = int(sys.SentTimestamp) || ctx.now();
  const body = m.Body ?? '';
  const sourceArn = sys.DeadLetterQueueSourceArn;
  return deadLetterMessageSchema.parse({
    id: m.MessageId,
    queueId: pair.id,
    body,
    attributes,
    receiveCount: int(sys.ApproximateReceiveCount),
    sourceQueue: sourceArn ? (sourceArn.split(':').pop() ?? sourceArn) : queueNameFromUrl(pair.sourceUrl),
    lastError: attributeText(m.MessageAttributes?.lastError),
    sentAt: iso(sent),
    // SQS records no dead-letter time; the first receive is the closest lower bound it exposes.
    deadLetteredAt: iso(Math.max(sent, int(sys.ApproximateFirstReceiveTimestamp))),
    transactionId: transactionIdOf(body),
  });
}

/** Receives one page may make at most (600 messages: about what the cursor remembers, MAX_SEEN). */
const MAX_PAGE_RECEIVES = 60;

/**
 * One page of a DLQ's messages, or of those matching `search` (a transaction id, an error text or
 * a message id). Every receive hides what it returns for the peek visibility, so a page wades
 * through the messages earlier pages examined (they are visible again by then; the cursor's hashes
 * skip them) to reach new ones. A page stops when it is full, when its budget of receives that
 * brought new messages is spent, or at MAX_PAGE_RECEIVES: then it is NOT the end, it carries a
 * cursor to continue from, and (for a search) `scanned`: how many messages the search has examined
 * so far, of about how many the DLQ holds. The scan is over (nextCursor null, unless the page is
 * full) only after three receives in a row found nothing visible, or when a page met only
 * messages earlier pages examined (`scanned.limitReached`: the search cannot get further).
 */
export async function listDeadLetters(
  ctx: Ctx,
  input: ListDeadLettersInput,
  peekVisibilitySeconds: number,
): Promise<Page<DeadLetterMessage>> {
  const pair = pairFor(ctx, input.queueId);
  const cursor = decodeCursor(input.cursor);
  const seen = cursor.seen;
  const search = input.search?.trim().toLowerCase() ?? '';
  // The DLQ's depth, for "searched N of about M": read while the scan runs.
  const depth = search ? approximateDepth(ctx, pair) : null;
  const items: DeadLetterMessage[] = [];
  const examined: string[] = [...seen];
  let searched = cursor.searched;
  // Receives that bring new messages; the messages earlier pages examined come on top (10 a receive).
  const freshBudget = Math.ceil(input.limit / 10) * (search ? 6 : 3) + 2;
  const maxReceives = Math.min(MAX_PAGE_RECEIVES, freshBudget + Math.ceil(seen.size / 10) + 3);
  let receives = 0;
  let freshReceives = 0;
  let pageFresh = 0;
  let empties = 0;
  while (items.length < input.limit && freshReceives < freshBudget && receives < maxReceives && empties < 3) {
    receives++;
    const res = await call(`ReceiveMessage on ${queueNameFromUrl(pair.dlqUrl)}`, () =>
      ctx.aws.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: pair.dlqUrl,
          // A search takes full batches (most messages do not match); a listing only what fits the page.
          MaxNumberOfMessages: search ? 10 : Math.min(10, input.limit - items.length),
          VisibilityTimeout: peekVisibilitySeconds,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      ),
    );
    const messages = res.Messages ?? [];
    let fresh = 0;
    for (const m of messages) {
      // Once the page is full, the rest of the batch stays unexamined: the next page may show it.
      if (items.length >= input.limit) break;
      if (!m.MessageId) continue;
      const h = idHash(m.MessageId);
      if (seen.has(h)) continue;
      seen.add(h);
      examined.push(h);
      fresh++;
      const dl = toDeadLetter(ctx, pair, m);
      const matches =
        !search ||
        dl.transactionId?.toLowerCase().includes(search) ||
        dl.lastError?.toLowerCase().includes(search) ||
        dl.id.toLowerCase() === search;
      if (matches) items.push(dl);
    }
    searched += fresh;
    pageFresh += fresh;
    if (fresh > 0) freshReceives++;
    empties = messages.length === 0 ? empties + 1 : 0;
  }
  const scanOver = empties >= 3;
  // Stuck: every receive of this page brought only messages earlier pages examined. SQS hands out
  // the oldest first and the cursor remembers MAX_SEEN of them, so another page would meet the
  // same ones again: say so instead of offering a "continue" that cannot get further.
  const stuck = !scanOver && pageFresh === 0 && items.length < input.limit;
  const more = items.length === input.limit || (!scanOver && !stuck);
  const page: Page<DeadLetterMessage> = { items, nextCursor: more ? encodeCursor(searched, examined) : null };
  if (depth || stuck)
    page.scanned = {
      searched,
      approximateTotal: depth ? await depth : null,
      ...(stuck ? { limitReached: true } : {}),
    };
  return page;
}

/**
 * The DLQ's approximate depth (visible + in flight, which includes what this search hides), or
 * null when it cannot be read: the search's receives have happened (each counted a receive), so a
 * failed hint must not throw the page away. The failure is logged on the server.
 */
async function approximateDepth(ctx: Ctx, pair: AwsQueuePairConfig): Promise<number | null> {
  try {
    const attributes = await queueAttributes(ctx, pair.dlqUrl);
    return int(attributes.ApproximateNumberOfMessages) + int(attributes.ApproximateNumberOfMessagesNotVisible);
  } catch (error) {
    const why = error instanceof PlatformError ? error.code : error instanceof Error ? error.name : 'error';
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    console.warn(
      JSON.stringify({
        msg: `the depth of ${queueNameFromUrl(pair.dlqUrl)} could not be read for a dead-letter search; answering without it`,
        why,
        detail: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause),
      }),
    );
    return null;
  }
}

// ---------------------------------------------------------------- redrives

function taskStatus(value: string | undefined): TaskStatus {
  switch (value) {
    case 'RUNNING':
    case 'COMPLETED':
    case 'CANCELLING':
    case 'CANCELLED':
    case 'FAILED':
      return value;
    default:
      throw new PlatformError('Unavailable', `SQS returned an unknown message-move task status "${value}"`);
  }
}

function toRedriveTask(
  ctx: Ctx,
  pair: AwsQueuePairConfig,
  e: ListMessageMoveTasksResultEntry,
  registry: RedriveRegistry,
): RedriveTask {
  const started = e.StartedTimestamp ?? null;
  const record =
    (e.TaskHandle ? registry.get(e.TaskHandle) : undefined) ??
    (started !== null ? registry.byStartTime(pair.dlqArn, started) : undefined);
  const id = e.TaskHandle ?? record?.id ?? `${pair.id}:${started ?? 'unknown'}`;
  if (e.TaskHandle && started !== null && !record) {
    // Seen while RUNNING (e.g. started from the AWS console): keep the handle for later lookups.
    registry.put({ queueId: pair.id, sourceArn: pair.dlqArn, id: e.TaskHandle, startedAtMs: started, startedBy: null });
  } else if (e.TaskHandle && record && record.startedAtMs === null && started !== null) {
    registry.setStarted(record, started);
  }
  const moved = e.ApproximateNumberOfMessagesMoved ?? 0;
  return redriveTaskSchema.parse({
    id,
    queueId: pair.id,
    region: ctx.config.region,
    status: taskStatus(e.Status),
    moved,
    total: Math.max(moved, e.ApproximateNumberOfMessagesToMove ?? moved),
    rate: e.MaxNumberOfMessagesPerSecond ?? null,
    selection: 'all',
    startedAt: iso(started ?? ctx.now()),
    // SQS reports no end time for message-move tasks.
    endedAt: null,
    startedBy: record?.startedBy ?? null,
    failureReason: e.FailureReason ?? null,
  });
}

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
async function listedTasks(ctx: Ctx, registry: RedriveRegistry, pair: AwsQueuePairConfig) {
  const entries = await moveTasks(ctx, pair);
  for (const record of registry.unlisted(pair.dlqArn)) {
    if (entries.some((e) => e.TaskHandle === record.id)) continue; // toRedriveTask records it
    const from = (record.requestedAtMs ?? 0) - START_CLOCK_ALLOWANCE_MS;
    const to = (record.acceptedAtMs ?? record.requestedAtMs ?? 0) + START_CLOCK_ALLOWANCE_MS;
    let newest: number | null = null;
    for (const e of entries) {
      const t = e.StartedTimestamp;
      if (t === undefined || t < from || t > to) continue;
      if (e.TaskHandle) continue; // RUNNING under another handle: not ours
      if (registry.byStartTime(pair.dlqArn, t)) continue; // already another record's task
      if (newest === null || t > newest) newest = t;
    }
    if (newest !== null) registry.setStarted(record, newest);
  }
  return entries;
}

/** A move task we started that SQS has not listed yet: what we know of it. */
function unlistedTask(ctx: Ctx, pair: AwsQueuePairConfig, record: RedriveRecord, rate: number | null): RedriveTask {
  return redriveTaskSchema.parse({
    id: record.id,
    queueId: pair.id,
    region: ctx.config.region,
    status: 'RUNNING',
    moved: 0,
    total: record.depthBefore ?? 0,
    rate,
    selection: 'all',
    startedAt: iso(record.requestedAtMs ?? ctx.now()),
    endedAt: null,
    startedBy: record.startedBy,
    failureReason: null,
  });
}

export async function listRedrives(
  ctx: Ctx,
  registry: RedriveRegistry,
  input: { limit?: number; queueId?: string },
): Promise<Page<RedriveTask>> {
  const pairs = input.queueId ? [pairFor(ctx, input.queueId)] : ctx.config.queuePairs;
  const lists = await Promise.all(
    pairs.map(async (p) => (await listedTasks(ctx, registry, p)).map((e) => toRedriveTask(ctx, p, e, registry))),
  );
  const all = [...lists.flat(), ...registry.selected(input.queueId)].sort(
    (a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt),
  );
  // SQS keeps only the 10 most recent tasks per queue: there is no further page to fetch.
  return { items: all.slice(0, input.limit ?? 50), nextCursor: null };
}

/** Resolves a redrive id: a TaskHandle, our selected-redrive id, or `${queueId}:${startedTimestamp}`. */
export async function getRedrive(
  ctx: Ctx,
  registry: RedriveRegistry,
  id: string,
): Promise<{ task: RedriveTask; handle: string | null } | null> {
  const record = registry.get(id);
  if (record?.selectedTask) return { task: record.selectedTask, handle: null };
  const synthetic = /^(.+):(\d+)$/.exec(id);
  const pairs = record
    ? [pairFor(ctx, record.queueId)]
    : synthetic
      ? ctx.config.queuePairs.filter((p) => p.id === synthetic[1])
      : ctx.config.queuePairs;
  for (const pair of pairs) {
    for (const e of await listedTasks(ctx, registry, pair)) {
      const matches =
        e.TaskHandle === id ||
        (record?.startedAtMs != null && e.StartedTimestamp === record.startedAtMs) ||
        (synthetic !== null && String(e.StartedTimestamp) === synthetic[2]);
      if (matches) return { task: toRedriveTask(ctx, pair, e, registry), handle: e.TaskHandle ?? null };
    }
    // Started here moments ago and not listed yet (eventual consistency): still RUNNING as far as we know.
    if (
      record &&
      record.startedAtMs === null &&
      record.acceptedAtMs !== undefined &&
      ctx.now() - record.acceptedAtMs < UNLISTED_GRACE_MS
    ) {
      return { task: unlistedTask(ctx, pair, record, null), handle: record.id };
    }
  }
  return null;
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
  const selected = registry.runningSelected(pair.id);
  if (selected)
    throw new PlatformError(
      'Conflict',
      `redrive ${selected.id} is still moving selected messages of ${pair.id}; wait for it or cancel it`,
    );
  if (input.messageIds)
    return startSelected(ctx, registry, pair, input.messageIds, input.rate ?? null, options.peekVisibilitySeconds);
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
  const record: RedriveRecord = {
    queueId: pair.id,
    sourceArn: pair.dlqArn,
    id: handle,
    startedAtMs: null,
    startedBy: ctx.caller.id,
    requestedAtMs,
    acceptedAtMs: ctx.now(),
    depthBefore,
  };
  registry.put(record);
  // From here on the task exists: a failed or empty read returns what is known (RUNNING, total =
  // depth before the start); getRedrive/listRedrives fill in the rest later.
  return readAfterAcceptedWrite(
    `StartMessageMoveTask on ${pair.id}`,
    async () => {
      const entries = await listedTasks(ctx, registry, pair);
      const entry =
        entries.find((e) => e.TaskHandle === handle) ??
        (record.startedAtMs !== null ? entries.find((e) => e.StartedTimestamp === record.startedAtMs) : undefined);
      return entry ? toRedriveTask(ctx, pair, entry, registry) : null;
    },
    () => unlistedTask(ctx, pair, record, input.rate ?? null),
  );
}

export async function cancelRedrive(ctx: Ctx, registry: RedriveRegistry, id: string): Promise<RedriveTask> {
  const found = await getRedrive(ctx, registry, id);
  if (!found)
    throw new PlatformError(
      'NotFound',
      `no redrive task ${id} (SQS lists only the 10 most recent tasks per queue)`,
      'id',
    );
  const { task, handle } = found;
  if (task.selection === 'selected') {
    const record = registry.get(id);
    if (!record?.selectedTask || task.status !== 'RUNNING')
      throw new PlatformError('Conflict', `redrive ${id} is ${task.status}: only a RUNNING redrive can be cancelled`);
    record.cancelRequested = true;
    record.selectedTask = redriveTaskSchema.parse({ ...record.selectedTask, status: 'CANCELLING' });
    return record.selectedTask;
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

function copyAttributes(m: Message): Record<string, MessageAttributeValue> | undefined {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
    if (!v.DataType) continue;
    out[k] = {
      DataType: v.DataType,
      ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { BinaryValue: v.BinaryValue } : {}),
    };
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Makes received messages visible again (ChangeMessageVisibilityBatch, 10 per call). Entries SQS
 * reports in `Failed` (or whole batches that fail) are retried once. Never throws: returns a
 * description of what could still not be released (those messages reappear in the DLQ when their
 * visibility timeout ends, `heldSeconds`), or null.
 */
async function release(
  ctx: Ctx,
  pair: AwsQueuePairConfig,
  messages: Message[],
  heldSeconds: number,
): Promise<string | null> {
  let pending = messages.flatMap((m, i) =>
    m.ReceiptHandle ? [{ Id: String(i), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }] : [],
  );
  let lastError = '';
  for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
    const failed: typeof pending = [];
    for (let i = 0; i < pending.length; i += 10) {
      const batch = pending.slice(i, i + 10);
      try {
        const res = await call(`ChangeMessageVisibilityBatch on ${queueNameFromUrl(pair.dlqUrl)}`, () =>
          ctx.aws.sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: pair.dlqUrl, Entries: batch })),
        );
        for (const f of res?.Failed ?? []) {
          const entry = batch.find((b) => b.Id === f.Id);
          if (entry) failed.push(entry);
          lastError = `${f.Code ?? 'error'}${f.Message ? `: ${f.Message}` : ''}`;
        }
      } catch (error) {
        failed.push(...batch);
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
    pending = failed;
  }
  if (pending.length === 0) return null;
  return `${pending.length} other message(s) could not be made visible again at once (${lastError}); they reappear in the DLQ within ${heldSeconds} s`;
}

/** Holds a received selected message while it is sent and deleted. */
const MOVE_VISIBILITY_SECONDS = 60;

async function startSelected(
  ctx: Ctx,
  registry: RedriveRegistry,
  pair: AwsQueuePairConfig,
  messageIds: string[],
  rate: number | null,
  peekVisibilitySeconds = DEFAULT_PEEK_VISIBILITY_SECONDS,
): Promise<RedriveTask> {
  const active = (await moveTasks(ctx, pair)).find((e) => e.Status === 'RUNNING' || e.Status === 'CANCELLING');
  if (active) {
    throw new PlatformError(
      'Conflict',
      `a message-move task is ${active.Status} on ${queueNameFromUrl(pair.dlqUrl)}: selected messages cannot be moved until it ends`,
    );
  }
  const id = `${pair.id}:selected:${ctx.randomId()}`;
  const wantedIds = [...new Set(messageIds)];
  const record: RedriveRecord = {
    queueId: pair.id,
    sourceArn: pair.dlqArn,
    id,
    startedAtMs: null,
    startedBy: ctx.caller.id,
    selectedTask: redriveTaskSchema.parse({
      id,
      queueId: pair.id,
      region: ctx.config.region,
      status: 'RUNNING',
      moved: 0,
      total: wantedIds.length,
      rate,
      selection: 'selected',
      startedAt: iso(ctx.now()),
      endedAt: null,
      startedBy: ctx.caller.id,
      failureReason: null,
    }),
  };
  registry.put(record);
  const initial = record.selectedTask as RedriveTask;
  record.done = runSelected(ctx, record, pair, wantedIds, rate, peekVisibilitySeconds).catch((error: unknown) => {
    // Never an unhandled rejection: the failure is the task's outcome.
    finish(ctx, record, 'FAILED', `stopped: ${error instanceof Error ? error.message : String(error)}`);
  });
  return initial;
}

function progress(record: RedriveRecord, moved: number): void {
  if (record.selectedTask) record.selectedTask = { ...record.selectedTask, moved };
}

function finish(ctx: Ctx, record: RedriveRecord, status: TaskStatus, failureReason: string | null): void {
  if (!record.selectedTask) return;
  record.selectedTask = redriveTaskSchema.parse({
    ...record.selectedTask,
    status,
    failureReason,
    endedAt: iso(ctx.now()),
  });
}

/** Long polling: an empty answer then means no message is visible (short polling samples servers). */
const SCAN_WAIT_SECONDS = 1;
/** Rescans after an empty receive, each after the peek visibility has run out. */
const MAX_PEEK_WAITS = 2;
/** The adapter's default visibility timeout of dead-letter peeks (listDeadLetters). */
export const DEFAULT_PEEK_VISIBILITY_SECONDS = 2;

/**
 * Moves the selected messages. Other messages received on the way stay hidden (the scan would
 * otherwise receive them again instead of the rest) until the scan ends, then are all released.
 * A receive that comes back empty (long polling: nothing visible) may mean a selected message is
 * still hidden by a peek of the DLQ browser, so the scan waits the peek visibility out and rescans
 * before it gives up. A run that did not move every selected message ends FAILED (moved = how many
 * did move), as the port has no partial status.
 */
async function runSelected(
  ctx: Ctx,
  record: RedriveRecord,
  pair: AwsQueuePairConfig,
  messageIds: string[],
  rate: number | null,
  peekVisibilitySeconds: number,
): Promise<void> {
  const wanted = new Set(messageIds);
  const startedAt = ctx.now();
  const depth = int((await queueAttributes(ctx, pair.dlqUrl)).ApproximateNumberOfMessages);
  const maxReceives = Math.min(2_000, Math.ceil(depth / 10) * 2 + 5 + MAX_PEEK_WAITS);
  // Held long enough for the whole run at the requested rate (SQS maximum: 12 h).
  const holdSeconds = Math.min(
    43_200,
    MOVE_VISIBILITY_SECONDS + (rate ? Math.ceil(messageIds.length / rate) : 0) + MAX_PEEK_WAITS * peekVisibilitySeconds,
  );
  const held = new Map<string, Message>(); // latest receipt of each message to give back
  const hold = (m: Message) => held.set(m.MessageId ?? m.ReceiptHandle ?? String(held.size), m);
  let moved = 0;
  let failureReason: string | null = null;
  let releaseProblem: string | null = null;
  let receives = 0;
  let peekWaits = 0;
  try {
    while (wanted.size > 0 && receives < maxReceives && failureReason === null && !record.cancelRequested) {
      receives++;
      const res = await call(`ReceiveMessage on ${queueNameFromUrl(pair.dlqUrl)}`, () =>
        ctx.aws.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: pair.dlqUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: holdSeconds,
            WaitTimeSeconds: SCAN_WAIT_SECONDS,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        ),
      );
      const messages = res.Messages ?? [];
      if (messages.length === 0) {
        if (peekWaits >= MAX_PEEK_WAITS) break;
        peekWaits++;
        await ctx.sleep(peekVisibilitySeconds * 1000 + 500);
        continue;
      }
      for (const m of messages) {
        if (!m.MessageId || !wanted.has(m.MessageId) || record.cancelRequested || failureReason !== null) {
          hold(m);
          continue;
        }
        try {
          await call(`SendMessage to ${queueNameFromUrl(pair.sourceUrl)}`, () =>
            ctx.aws.sqs.send(
              new SendMessageCommand({
                QueueUrl: pair.sourceUrl,
                MessageBody: m.Body ?? '',
                MessageAttributes: copyAttributes(m),
              }),
            ),
          );
          await call(`DeleteMessage on ${queueNameFromUrl(pair.dlqUrl)}`, () =>
            ctx.aws.sqs.send(new DeleteMessageCommand({ QueueUrl: pair.dlqUrl, ReceiptHandle: m.ReceiptHandle })),
          );
        } catch (error) {
          failureReason = `stopped after ${moved} of ${messageIds.length} messages: ${error instanceof Error ? error.message : String(error)}`;
          hold(m); // given back with the others
          continue;
        }
        wanted.delete(m.MessageId);
        held.delete(m.MessageId);
        moved++;
        progress(record, moved);
        if (rate) {
          const wait = startedAt + (moved / rate) * 1000 - ctx.now();
          if (wait > 0) await ctx.sleep(wait);
        }
      }
    }
  } finally {
    releaseProblem = await release(ctx, pair, [...held.values()], holdSeconds);
  }
  if (record.cancelRequested) return finish(ctx, record, 'CANCELLED', releaseProblem);
  if (failureReason === null && wanted.size > 0) {
    failureReason = `moved ${moved} of ${messageIds.length}: ${wanted.size} selected messages were not found in ${queueNameFromUrl(pair.dlqUrl)} (already redriven, expired, or held by another reader): ${[...wanted].slice(0, 5).join(', ')}${wanted.size > 5 ? ', ...' : ''}`;
  }
  const reason = [failureReason, releaseProblem].filter((r): r is string => r !== null).join('; ') || null;
  finish(ctx, record, wanted.size === 0 ? 'COMPLETED' : 'FAILED', reason);
}
