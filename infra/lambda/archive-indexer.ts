/**
 * The archive indexer: one item per event the archive keeps (same sources), in the archive
 * index layout of infra/platform/layout.ts, because EventBridge has no API that reads an
 * archive and the console's replay previews query this index instead.
 * - Replayed events (they carry `replay-name`) are already indexed: ignored (the rule's pattern
 *   excludes them too; this is the second guard).
 * - Idempotent: a conditional put on the item's key, which contains the event id. A redelivered
 *   event (EventBridge retries the target) finds its item and is a no-op.
 * - A failed write throws: EventBridge retries the invocation, then the rule's DLQ keeps it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { ARCHIVE_RETENTION_DAYS } from '../platform/description';
import { archiveIndexKey, indexTime } from '../platform/layout';
import { numberEnv, requireEnv } from './shared/env';
import { observability } from './shared/observability';

const { logger, tracer } = observability();
const table = requireEnv('ARCHIVE_INDEX_TABLE');
const retentionDays = numberEnv('ARCHIVE_RETENTION_DAYS');
const db = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})));

export type ArchivedEvent = EventBridgeEvent<string, unknown> & { 'replay-name'?: string };

export interface ArchiveIndexItem {
  pk: string;
  sk: string;
  eventId: string;
  time: string;
  source: string;
  detailType: string;
  transactionId?: string;
  /** The event's detail as JSON text. */
  detail: string;
  /** Epoch seconds: event time + the archive's retention (DynamoDB TTL). */
  expiryTime: number;
}

/** The index item of an event (layout.ts: archive index). */
export function indexItem(event: ArchivedEvent, days = ARCHIVE_RETENTION_DAYS): ArchiveIndexItem {
  if (typeof event.id !== 'string' || event.id === '') throw new Error('event has no id');
  const time = indexTime(event.time);
  const detail = event.detail as { transactionId?: unknown } | null;
  const transactionId =
    detail && typeof detail === 'object' && typeof detail.transactionId === 'string' ? detail.transactionId : undefined;
  return {
    ...archiveIndexKey({ id: event.id, time }),
    eventId: event.id,
    time,
    source: event.source,
    detailType: event['detail-type'],
    ...(transactionId !== undefined ? { transactionId } : {}),
    detail: JSON.stringify(event.detail ?? null),
    expiryTime: Math.floor(Date.parse(time) / 1000) + days * 86_400,
  };
}

export type IndexOutcome = 'indexed' | 'already-indexed' | 'replay-ignored';

export const handler = async (event: ArchivedEvent, context?: Context): Promise<IndexOutcome> => {
  if (context) logger.addContext(context);
  if (event['replay-name']) {
    logger.debug('replayed event ignored', { eventId: event.id, replay: event['replay-name'] });
    return 'replay-ignored';
  }
  const item = indexItem(event, retentionDays);
  try {
    await db.send(new PutCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    return 'indexed';
  } catch (e) {
    if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return 'already-indexed';
    logger.error('could not index the event', { eventId: event.id, error: e as Error });
    throw e;
  }
};
