import 'server-only';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { transactionIdOf } from '../../../infra/runtime/failure-class-index';
import type { RedriveFinish } from '../../db/redrive-store';
import type { RedriveTask } from '../platform.schema';
import type { Ctx } from './clients';
import type { AwsQueuePairConfig } from './config';
import { call } from './errors';
import { forgetDeadLetters } from './failure-index';
import { copyAttributes, int, queueNameFromUrl } from './queue-mappers';
import { queueAttributes } from './queue-pairs';
import { selectedTaskOf, type RedriveRecord, type RedriveRegistry } from './redrive-registry';

/**
 * The in-process redrive of selected messages. StartMessageMoveTask cannot select messages, so a
 * redrive of selected ids receives the DLQ, SendMessage's each selected message (same body and
 * message attributes) to the source queue, then DeleteMessage's it from the DLQ; other messages
 * received on the way stay hidden until the scan ends (so the scan reaches the rest), then are all
 * made visible again. The scan long-polls, and before it calls a selected message missing it waits
 * out the peek visibility (a message the operator has just looked at is hidden for that long). A
 * run that did not move every selected message ends FAILED with `moved` = how many it moved. If
 * the delete fails after the send, the message is in both queues: the processor is idempotent by
 * transaction id, so it is applied once.
 * The run is in the background of the console task that started it (startSelected returns it
 * RUNNING, at the requested rate). Its progress, the transactions it moved and its end are in the
 * console's state table (redrive-registry.ts), written every few seconds at most, so every
 * console task shows it alike and any of them can cancel it: the runner reads the cancel from the
 * answer to its next progress write (at once when the cancel reached its own task). If the task
 * stops mid-way, the messages it held become visible in the DLQ again after their visibility
 * timeout (nothing is lost) and the first read after SELECTED_STALE_MS ends the run FAILED.
 */

/**
 * Makes received messages visible again (ChangeMessageVisibilityBatch, 10 per call). Entries SQS
 * reports in `Failed` (or whole batches that fail) are retried once. Never throws: returns a
 * description of what could still not be released (those messages reappear in the DLQ when their
 * visibility timeout ends, `heldSeconds`), or null.
 */
export async function release(
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

/**
 * Starts moving the selected messages in the background and returns the task RUNNING, once its
 * record is stored (a start that cannot be recorded moves nothing). The caller has checked that no
 * message-move task is active on the DLQ (the two conflict both ways).
 */
export async function startSelected(
  ctx: Ctx,
  registry: RedriveRegistry,
  pair: AwsQueuePairConfig,
  messageIds: string[],
  rate: number | null,
  peekVisibilitySeconds = DEFAULT_PEEK_VISIBILITY_SECONDS,
  classIds?: string[],
): Promise<RedriveTask> {
  const id = `${pair.id}:selected:${ctx.randomId()}`;
  const wantedIds = [...new Set(messageIds)];
  const now = ctx.now();
  const record: RedriveRecord = {
    id,
    queueId: pair.id,
    sourceArn: pair.dlqArn,
    region: ctx.config.region,
    createdAtMs: now,
    startedBy: ctx.caller.id,
    startedAtMs: null,
    requestedAtMs: null,
    acceptedAtMs: null,
    depthBefore: null,
    selected: {
      status: 'RUNNING',
      moved: 0,
      total: wantedIds.length,
      rate,
      selection: classIds ? 'classes' : 'selected',
      classIds: classIds ?? null,
      endedAtMs: null,
      failureReason: null,
      heartbeatAtMs: now,
      holdSeconds: null,
      movedTransactions: [],
    },
  };
  const initial = selectedTaskOf(record); // validated before anything is stored or moved
  await registry.store.create(record);
  const run = new SelectedRun(ctx, registry, id, wantedIds.length);
  void runSelected(ctx, run, pair, wantedIds, rate, peekVisibilitySeconds)
    .catch((error: unknown) =>
      // Never an unhandled rejection: the failure is the task's outcome.
      run.finish('FAILED', `stopped: ${error instanceof Error ? error.message : String(error)}`),
    )
    .catch((error: unknown) => logRun(id, 'the end of the run could not be recorded', error))
    .finally(() => registry.endLocal(id));
  return initial;
}

function logRun(id: string, msg: string, error: unknown): void {
  console.warn(
    JSON.stringify({
      msg: `selected redrive: ${msg}`,
      redrive: id,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    }),
  );
}

/** Thrown inside a run whose record says another console task has ended it. */
class RunEnded extends Error {}

/**
 * The runner's side of the record: progress written after every receive and, while messages
 * move, at most every FLUSH_MS. Each write is the heartbeat (the longest gap is one receive's
 * long poll plus a peek wait, a few seconds) and answers whether a cancel was requested.
 */
class SelectedRun {
  readonly movedTransactions: (string | null)[] = [];
  moved = 0;
  holdSeconds: number | null = null;
  private written = 0; // movedTransactions already stored
  private lastWriteMs: number;
  private readonly local;

  constructor(
    private readonly ctx: Ctx,
    private readonly registry: RedriveRegistry,
    readonly id: string,
    readonly total: number,
  ) {
    this.local = registry.startLocal(id);
    this.lastWriteMs = ctx.now();
  }

  get cancelRequested(): boolean {
    return this.local.cancelRequested;
  }

  /**
   * Writes the progress when due (`force`: now). Throws RunEnded when the record is no longer
   * RUNNING or CANCELLING (another task declared this run stopped): the run must stop.
   */
  async sync(force: boolean): Promise<void> {
    const now = this.ctx.now();
    if (!force && now - this.lastWriteMs < FLUSH_MS) return;
    const after = await this.registry.store.progress(this.id, {
      moved: this.moved,
      heartbeatAtMs: now,
      ...(this.holdSeconds !== null ? { holdSeconds: this.holdSeconds } : {}),
      movedTransactions: this.movedTransactions,
      changedFrom: this.written,
    });
    this.lastWriteMs = now;
    this.written = this.movedTransactions.length;
    if (!after) throw new RunEnded(`redrive ${this.id} was ended by another console task`);
    if (after.selected?.status === 'CANCELLING') this.local.cancelRequested = true;
  }

  async finish(status: RedriveFinish['status'], failureReason: string | null): Promise<void> {
    const landed = await this.registry.store.finish(this.id, {
      status,
      moved: this.moved,
      endedAtMs: this.ctx.now(),
      failureReason,
      movedTransactions: this.movedTransactions,
      changedFrom: this.written,
    });
    this.written = this.movedTransactions.length;
    if (!landed) logRun(this.id, `its end (${status}) came after another console task had ended it`, null);
  }
}

/** Progress writes at most this often (a cancel from another task is seen within it). */
const FLUSH_MS = 1_000;

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
  run: SelectedRun,
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
  run.holdSeconds = holdSeconds;
  await run.sync(true);
  const held = new Map<string, Message>(); // latest receipt of each message to give back
  const hold = (m: Message) => held.set(m.MessageId ?? m.ReceiptHandle ?? String(held.size), m);
  let failureReason: string | null = null;
  let releaseProblem: string | null = null;
  let ended: RunEnded | null = null;
  let receives = 0;
  let peekWaits = 0;
  try {
    while (wanted.size > 0 && receives < maxReceives && failureReason === null && !run.cancelRequested) {
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
      // Held until moved: whatever stops the run on the way (a cancel, another task ending it, an
      // error) gives back every received message not moved.
      for (const m of messages) hold(m);
      // Each receive asks the record whether the run was cancelled (or ended) in another task.
      await run.sync(true);
      if (messages.length === 0) {
        if (peekWaits >= MAX_PEEK_WAITS) break;
        peekWaits++;
        await ctx.sleep(peekVisibilitySeconds * 1000 + 500);
        continue;
      }
      for (const m of messages) {
        if (!m.MessageId || !wanted.has(m.MessageId) || run.cancelRequested || failureReason !== null) continue;
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
          failureReason = `stopped after ${run.moved} of ${messageIds.length} messages: ${error instanceof Error ? error.message : String(error)}`;
          continue; // given back with the others
        }
        wanted.delete(m.MessageId);
        held.delete(m.MessageId);
        run.moved++;
        // The transaction as the processor indexes it: the outcome looks for it back in the DLQ.
        run.movedTransactions.push(transactionIdOf(m.Body ?? ''));
        // It left the DLQ: its failure index entry goes (best effort, never stops the run).
        await forgetDeadLetters(ctx, pair.id, [m.MessageId]);
        if (rate) {
          const wait = startedAt + (run.moved / rate) * 1000 - ctx.now();
          if (wait > 0) await ctx.sleep(wait);
        }
        await run.sync(false);
      }
    }
  } catch (error) {
    if (!(error instanceof RunEnded)) throw error;
    ended = error;
  } finally {
    releaseProblem = await release(ctx, pair, [...held.values()], holdSeconds);
  }
  if (ended) return logRun(run.id, 'stopped: another console task ended it', ended);
  if (run.cancelRequested) return run.finish('CANCELLED', releaseProblem);
  if (failureReason === null && wanted.size > 0) {
    failureReason = `moved ${run.moved} of ${messageIds.length}: ${wanted.size} selected messages were not found in ${queueNameFromUrl(pair.dlqUrl)} (already redriven, expired, or held by another reader): ${[...wanted].slice(0, 5).join(', ')}${wanted.size > 5 ? ', ...' : ''}`;
  }
  const reason = [failureReason, releaseProblem].filter((r): r is string => r !== null).join('; ') || null;
  return run.finish(wanted.size === 0 ? 'COMPLETED' : 'FAILED', reason);
}
