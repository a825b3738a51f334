import 'server-only';
import type { Replay, TaskOutcome } from '../platform.schema';
import type { Ctx } from './clients';
import { queueNameFromUrl } from './queue-mappers';
import {
  cachedOutcome,
  deadLettersSince,
  hasFailureIndex,
  isSettled,
  outcomeOf,
  type OutcomeBudget,
} from './task-outcomes';

/**
 * A replay's outcome on AWS (task-outcomes.ts). EventBridge does not say which events a replay
 * delivered nor what became of them: back in the DLQ = the entries indexed on the processing
 * DLQs (every queue pair the bus routes to) since the replay started, an upper bound that includes
 * live traffic's failures, capped at the events replayed. The count replayed is the archive
 * index's count at the start (replay-mappers.ts); without it (no archive index) sent, processed
 * and applied are unknown (uncounted 'backOnly': the row says only how many are back), and the
 * basis says so. Without the failure index there
 * is no outcome.
 */

const terminal = new Set<Replay['state']>(['COMPLETED', 'CANCELLED', 'FAILED']);

/** Without a known number replayed, dead letters are counted up to this many. */
export const UNKNOWN_SENT_COUNT_LIMIT = 10_000;

export async function withReplayOutcome(ctx: Ctx, replay: Replay, budget: OutcomeBudget | null): Promise<Replay> {
  if (!hasFailureIndex(ctx)) return replay;
  const outcome = await cachedOutcome(
    ctx,
    {
      what: 'replay',
      id: replay.name,
      key: `replay:${replay.name}@${replay.startedAt}`,
      stamp: `${replay.state}:${replay.eventsReplayed}:${replay.endedAt ?? ''}`,
      ended: terminal.has(replay.state),
      endedAt: replay.endedAt ?? null,
      sent: replay.eventsReplayed,
    },
    budget,
    (endMs, now) => replayOutcome(ctx, replay, isSettled(endMs, now)),
  );
  return outcome ? { ...replay, outcome } : replay;
}

async function replayOutcome(ctx: Ctx, replay: Replay, settled: boolean): Promise<TaskOutcome> {
  const known = replay.eventsTotal !== null;
  const cap = known ? replay.eventsReplayed : UNKNOWN_SENT_COUNT_LIMIT;
  let back = 0;
  for (const pair of ctx.config.queuePairs) {
    if (back >= cap) break;
    back += await deadLettersSince(ctx, pair.id, replay.startedAt, cap - back);
  }
  const dlqs = ctx.config.queuePairs.map((p) => queueNameFromUrl(p.dlqUrl)).join(', ');
  const bound = `an upper bound: every dead letter indexed on ${dlqs} since the replay started, including new failures from live traffic (EventBridge does not say which events a replay delivered)`;
  if (known) return outcomeOf(replay.eventsReplayed, back, settled, `${bound}, capped at the ${cap} events replayed`);
  return {
    sent: 0,
    processed: 0,
    applied: 0,
    backInDlq: back,
    settled,
    uncounted: 'backOnly',
    basis: `EventBridge reports no count of events replayed and this stack has no archive index to count the window: sent, processed and applied are unknown; back in the DLQ is ${bound}${back >= cap ? `, counted up to ${cap}` : ''}`,
  };
}
