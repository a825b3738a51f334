import 'server-only';
import type { RedriveTask, TaskOutcome } from '../platform.schema';
import type { Ctx } from './clients';
import { queueNameFromUrl } from './queue-mappers';
import { pairFor } from './queue-pairs';
import type { RedriveRegistry } from './redrive-registry';
import {
  cachedOutcome,
  deadLettersSince,
  hasFailureIndex,
  isSettled,
  outcomeOf,
  transactionsBackSince,
  type OutcomeBudget,
} from './task-outcomes';

/**
 * A redrive's outcome on AWS (task-outcomes.ts). A selected or class redrive moved the messages
 * itself and recorded each one's transaction id (selected-redrive.ts, on its record in the
 * console's state table; those already seen back are kept in memory): back in the DLQ = those
 * transactions dead-lettered again since the start. A message-move task does not say which messages it moved: back in the DLQ = the DLQ's
 * entries since the start, capped at the moved count, an upper bound. SQS reports no end time for
 * a message-move task: its end is when this process first saw it ended (never before the real one).
 * Without the failure index (stack output FailureIndexTableName) there is no outcome.
 */
export async function withRedriveOutcome(
  ctx: Ctx,
  registry: RedriveRegistry,
  task: RedriveTask,
  budget: OutcomeBudget | null,
): Promise<RedriveTask> {
  if (!hasFailureIndex(ctx)) return task;
  const outcome = await cachedOutcome(
    ctx,
    {
      what: 'redrive',
      id: task.id,
      key: task.selection === 'all' ? `redrive:${task.queueId}@${task.startedAt}` : `redrive:${task.id}`,
      stamp: `${task.status}:${task.moved}:${task.endedAt ?? ''}`,
      ended: task.status !== 'RUNNING' && task.status !== 'CANCELLING',
      endedAt: task.endedAt ?? null,
      sent: task.moved,
    },
    budget,
    (endMs, now) =>
      task.selection === 'all'
        ? moveTaskOutcome(ctx, task, isSettled(endMs, now))
        : selectedOutcome(ctx, registry, task, endMs, now),
  );
  return outcome ? { ...task, outcome } : task;
}

async function moveTaskOutcome(ctx: Ctx, task: RedriveTask, settled: boolean): Promise<TaskOutcome> {
  const dlq = queueNameFromUrl(pairFor(ctx, task.queueId).dlqUrl);
  const back = await deadLettersSince(ctx, task.queueId, task.startedAt, task.moved);
  return outcomeOf(
    task.moved,
    back,
    settled,
    `an upper bound: every dead letter indexed on ${dlq} since the redrive started, capped at the ${task.moved} moved, including new failures from live traffic (SQS does not say which messages a message-move task moved)`,
  );
}

async function selectedOutcome(
  ctx: Ctx,
  registry: RedriveRegistry,
  task: RedriveTask,
  endMs: number | null,
  now: number,
): Promise<TaskOutcome | undefined> {
  // The ids it moved are read here only (findRedrive read the status without them).
  const record = await registry.store.get(task.id);
  if (!record?.selected) return undefined; // no record of what it moved: nothing known of it
  const found = registry.backOf(task.id);
  const movedTransactions = record.selected.movedTransactions;
  const sent = movedTransactions.filter((tx): tx is string => tx !== null);
  const complete = await transactionsBackSince(ctx, task.queueId, sent, task.startedAt, found);
  const moved = movedTransactions.length;
  const untracked = moved - sent.length;
  const notes = [
    untracked > 0 ? `${untracked} moved message(s) named no transaction and count as not back` : null,
    complete ? null : 'the failure index was read in part (too many entries since the start): a lower bound',
  ].filter((n): n is string => n !== null);
  // Every moved transaction back: nothing is left to process, the outcome is final at once.
  const settled = endMs !== null && (isSettled(endMs, now) || (found.size >= moved && moved > 0));
  return outcomeOf(
    moved,
    found.size,
    settled,
    `the moved messages' transactions dead-lettered again since the redrive started, by transaction id through the failure index${notes.length ? `; ${notes.join('; ')}` : ''}`,
  );
}
