import 'server-only';
import type { Caller } from '@/server/auth/permissions.schema';
import type { OpsContext } from '@/server/ops/context';
import type { ListDeadLettersInput } from '@/server/platform/inputs.schema';
import type { DeadLetterMessage, MetricSeries, Page, QueuePair } from '@/server/platform/platform.schema';
import { PlatformError } from '@/server/platform/port';
import { resolveRange } from './read.schema';

export function listQueues(ctx: OpsContext, caller: Caller): Promise<QueuePair[]> {
  return ctx.platform.listQueuePairs(caller);
}

export async function getQueue(ctx: OpsContext, caller: Caller, id: string): Promise<QueuePair> {
  const pair = (await listQueues(ctx, caller)).find((q) => q.id === id);
  if (!pair) throw new PlatformError('NotFound', `No queue pair named ${id}`, 'id');
  return pair;
}

/** The metric ids (platform description) charted for one queue pair. */
export function queueMetricIds(id: string): string[] {
  return [
    `queue.${id}.visible`,
    `queue.${id}.inflight`,
    `queue.${id}.oldest_age`,
    `dlq.${id}.visible`,
    `dlq.${id}.oldest_age`,
  ];
}

/** A queue pair's depth and age series over the last hour or day. */
export async function getQueueSeries(
  ctx: OpsContext,
  caller: Caller,
  input: { id: string; range: '1h' | '24h' },
  now = Date.now(),
): Promise<MetricSeries[]> {
  await getQueue(ctx, caller, input.id);
  const platform = ctx.platform;
  const r = resolveRange({ range: input.range }, now);
  return platform.getMetricSeries(caller, {
    metrics: queueMetricIds(input.id),
    from: r.from,
    to: r.to,
    periodSeconds: r.periodSeconds,
  });
}

/** One page of a queue pair's dead letters, optionally searched by transaction id or error text. */
export async function listDeadLetters(
  ctx: OpsContext,
  caller: Caller,
  input: ListDeadLettersInput,
): Promise<Page<DeadLetterMessage>> {
  const search = input.search?.trim();
  return ctx.platform.listDeadLetters(caller, { ...input, search: search ? search : undefined });
}
