import 'server-only';
import { createHash } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { MAX_EXPORTED_DEAD_LETTERS, messageIdSchema, type ListDeadLettersInput } from '../inputs.schema';
import type { DeadLetterMessage, Page } from '../platform.schema';
import { PlatformError } from '../port';
import type { DeadLetterExport, DeadLetterIndexEntry, RemoveDeadLettersResult } from '../triage.schema';
import type { Ctx } from './clients';
import type { AwsQueuePairConfig } from './config';
import { call } from './errors';
import { classEntries, forgetDeadLetters, toIndexEntry } from './failure-index';
import { int, queueNameFromUrl, toDeadLetter } from './queue-mappers';
import { pairFor, queueAttributes } from './queue-pairs';
import { release } from './selected-redrive';

/**
 * Dead-letter "peek" and search: SQS has no peek. listDeadLetters RECEIVES messages (each receive
 * adds 1 to ApproximateReceiveCount, which is what `receiveCount` reports) with a visibility
 * timeout of a couple of seconds (`peekVisibilitySeconds`): long enough that one page of receives
 * (10 at a time) sees distinct messages, short enough that the messages are visible again for a
 * redrive moments later. A page is therefore a SAMPLE of the queue, not a stable slice: the cursor
 * carries short hashes of the ids already shown so the next page shows other messages.
 */

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

/** How long the scan of an export or removal holds what it received (then gives it back). */
const SCAN_HOLD_SECONDS = 120;

/**
 * Receives the DLQ until every wanted message id was met (or the scan can get no further) and
 * reads (`read`) or deletes by receipt handle (`delete`) the wanted ones; every other message
 * received on the way stays hidden until the scan ends (so the scan reaches the rest), then is
 * made visible again. Limits (SQS has no query): at most 2,000 receives (20,000 messages) per
 * scan; a message hidden by another reader (a peek, a running redrive) is not met and is reported
 * missing; each receive counts one receive of the messages it returns.
 */
export async function scanDeadLetters(
  ctx: Ctx,
  pair: AwsQueuePairConfig,
  wantedIds: readonly string[],
  mode: 'read' | 'delete',
): Promise<Map<string, Message>> {
  const wanted = new Set(wantedIds);
  const found = new Map<string, Message>();
  const held: Message[] = [];
  const depth = int((await queueAttributes(ctx, pair.dlqUrl)).ApproximateNumberOfMessages);
  const maxReceives = Math.min(2_000, Math.ceil(depth / 10) * 2 + 5);
  let empties = 0;
  try {
    for (let receives = 0; wanted.size > 0 && receives < maxReceives && empties < 2; receives++) {
      const res = await call(`ReceiveMessage on ${queueNameFromUrl(pair.dlqUrl)}`, () =>
        ctx.aws.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: pair.dlqUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: SCAN_HOLD_SECONDS,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        ),
      );
      const messages = res.Messages ?? [];
      empties = messages.length === 0 ? empties + 1 : 0;
      for (const m of messages) {
        if (!m.MessageId || !wanted.has(m.MessageId)) {
          held.push(m);
          continue;
        }
        if (mode === 'delete')
          await call(`DeleteMessage on ${queueNameFromUrl(pair.dlqUrl)}`, () =>
            ctx.aws.sqs.send(new DeleteMessageCommand({ QueueUrl: pair.dlqUrl, ReceiptHandle: m.ReceiptHandle })),
          );
        else held.push(m);
        wanted.delete(m.MessageId);
        found.set(m.MessageId, m);
      }
    }
  } finally {
    const problem = await release(ctx, pair, held, SCAN_HOLD_SECONDS);
    if (problem) console.warn(JSON.stringify({ msg: 'dead-letter scan', queueId: pair.id, problem }));
  }
  return found;
}

/** The dead letters of these classes with bodies, attributes and errors (failure index + a DLQ scan). */
export async function exportDeadLetters(ctx: Ctx, queueId: string, classIds: string[]): Promise<DeadLetterExport> {
  const pair = pairFor(ctx, queueId);
  const entries: DeadLetterIndexEntry[] = [];
  let truncated = false;
  for (const classId of classIds) {
    const room = MAX_EXPORTED_DEAD_LETTERS - entries.length;
    const got = await classEntries(ctx, queueId, classId, room + 1);
    if (got.length > room) truncated = true;
    entries.push(...got.slice(0, room).map(toIndexEntry));
    if (truncated) break;
  }
  const found = await scanDeadLetters(
    ctx,
    pair,
    entries.map((e) => e.messageId),
    'read',
  );
  const items = entries.flatMap((e) => {
    const m = found.get(e.messageId);
    if (!m) return [];
    const { classId, errorType, step, verdict, error } = e;
    return [{ ...toDeadLetter(ctx, pair, m), lastError: error, classId, errorType, step, verdict, error }];
  });
  const missing = entries.filter((e) => !found.has(e.messageId)).map((e) => e.messageId);
  return {
    queueId,
    classIds,
    exportedAt: new Date(ctx.now()).toISOString(),
    items,
    indexed: entries.length + (truncated ? 1 : 0),
    complete: !truncated && missing.length === 0,
    missing,
  };
}

/** DeleteMessage of exactly these ids (received by a scan), then their failure index entries. */
export async function removeDeadLetters(
  ctx: Ctx,
  queueId: string,
  messageIds: string[],
): Promise<RemoveDeadLettersResult> {
  const pair = pairFor(ctx, queueId);
  const bad = messageIds.findIndex((id) => !messageIdSchema.safeParse(id).success || !id.includes('-'));
  if (bad >= 0)
    throw new PlatformError(
      'Invalid',
      `messageIds.${bad}: ${JSON.stringify(messageIds[bad]!.slice(0, 100))} is not an SQS MessageId`,
      `messageIds.${bad}`,
    );
  const found = await scanDeadLetters(ctx, pair, messageIds, 'delete');
  const removed = messageIds.filter((id) => found.has(id));
  await forgetDeadLetters(ctx, queueId, removed);
  return { queueId, removed, notFound: messageIds.filter((id) => !found.has(id)) };
}
