import 'server-only';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { transactionIdOf } from '../../../infra/runtime/failure-class-index';
import { redriveTaskSchema, type RedriveTask, type TaskStatus } from '../platform.schema';
import { iso, type Ctx } from './clients';
import type { AwsQueuePairConfig } from './config';
import { call } from './errors';
import { forgetDeadLetters } from './failure-index';
import { copyAttributes, int, queueNameFromUrl } from './queue-mappers';
import { queueAttributes } from './queue-pairs';
import type { RedriveRecord, RedriveRegistry } from './redrive-registry';

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
 * The run is in the background of this process (startSelected returns it RUNNING, at the
 * requested rate), is tracked in memory (RedriveRegistry) and can be cancelled. If the process
 * stops mid-way, the messages it held become visible in the DLQ again after
 * MOVE_VISIBILITY_SECONDS: nothing is lost. The audit record of the ops layer is its durable trace.
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
 * Starts moving the selected messages in the background and returns the task RUNNING. The caller
 * has checked that no message-move task is active on the DLQ (the two conflict both ways).
 */
export function startSelected(
  ctx: Ctx,
  registry: RedriveRegistry,
  pair: AwsQueuePairConfig,
  messageIds: string[],
  rate: number | null,
  peekVisibilitySeconds = DEFAULT_PEEK_VISIBILITY_SECONDS,
  classIds?: string[],
): RedriveTask {
  const id = `${pair.id}:selected:${ctx.randomId()}`;
  const wantedIds = [...new Set(messageIds)];
  const record: RedriveRecord = {
    queueId: pair.id,
    sourceArn: pair.dlqArn,
    id,
    startedAtMs: null,
    startedBy: ctx.caller.id,
    movedTransactions: [],
    selectedTask: redriveTaskSchema.parse({
      id,
      queueId: pair.id,
      region: ctx.config.region,
      status: 'RUNNING',
      moved: 0,
      total: wantedIds.length,
      rate,
      selection: classIds ? 'classes' : 'selected',
      ...(classIds ? { classIds } : {}),
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
        // The transaction as the processor indexes it: the outcome looks for it back in the DLQ.
        (record.movedTransactions ??= []).push(transactionIdOf(m.Body ?? ''));
        progress(record, moved);
        // It left the DLQ: its failure index entry goes (best effort, never stops the run).
        await forgetDeadLetters(ctx, pair.id, [m.MessageId]);
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
