import 'server-only';
import type { ListMessageMoveTasksResultEntry, Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { MAX_RECEIVE_COUNT } from '../../../infra/platform/description';
import {
  deadLetterMessageSchema,
  queuePairSchema,
  redriveTaskSchema,
  type DeadLetterMessage,
  type QueuePair,
  type QueueStats,
  type RedriveTask,
  type TaskStatus,
} from '../platform.schema';
import { PlatformError } from '../port';
import { iso, type Ctx } from './clients';
import type { AwsQueuePairConfig } from './config';
import type { RedriveSummary } from './redrive-registry';

/** SQS shapes (queue attributes, messages, message-move tasks) reshaped into the port's DTOs. No AWS calls. */

/** What the mappers read of the context: the region and the clock. */
type MapCtx = Pick<Ctx, 'config' | 'now'>;

export function queueNameFromUrl(url: string): string {
  const name = new URL(url).pathname.split('/').filter(Boolean).pop();
  if (!name) throw new PlatformError('Invalid', `not an SQS queue URL: ${url}`);
  return name;
}

export function int(value: string | undefined): number {
  const n = Number(value ?? '0');
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/**
 * A queue pair from the GetQueueAttributes of its source and DLQ and the latest
 * ApproximateAgeOfOldestMessage by queue name.
 */
export function toQueuePair(
  ctx: MapCtx,
  p: AwsQueuePairConfig,
  src: Record<string, string>,
  dlq: Record<string, string>,
  ages: Map<string, number>,
): QueuePair {
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

export function toDeadLetter(ctx: MapCtx, pair: AwsQueuePairConfig, m: Message): DeadLetterMessage {
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

/**
 * A message-move task as SQS lists it; `record` is what the console recorded of it (who started it,
 * our id for it) before the listing was recorded (QueueRecords.recordListed, redrive-registry.ts).
 */
export function toRedriveTask(
  ctx: MapCtx,
  pair: AwsQueuePairConfig,
  e: ListMessageMoveTasksResultEntry,
  record: RedriveSummary | undefined,
): RedriveTask {
  const started = e.StartedTimestamp ?? null;
  const id = e.TaskHandle ?? record?.id ?? `${pair.id}:${started ?? 'unknown'}`;
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

/** A move task we started that SQS has not listed yet: what we know of it. */
export function unlistedTask(
  ctx: MapCtx,
  pair: AwsQueuePairConfig,
  record: RedriveSummary,
  rate: number | null,
): RedriveTask {
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

/** The message attributes to send again with a message moved back to its source queue. */
export function copyAttributes(m: Message): Record<string, MessageAttributeValue> | undefined {
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
