import 'server-only';
import { MAX_RECEIVE_COUNT, queuePairs } from '@/infra/platform/description';
import { dlqOf } from '../../../infra/embedded/db';
import { NAMES } from '../../../infra/embedded/names';
import { makeQueueStats } from '../../../infra/embedded/queries';
import type { ListDeadLettersInput } from '../inputs.schema';
import type { DeadLetterMessage, Page, QueuePair } from '../platform.schema';
import { PlatformError } from '../port';
import { iso, type LocalContext } from './context';
import { clampLimit, decodeCursor, isPair, pageOf } from './paging';

export interface DeadRow {
  id: number;
  queue: string;
  body: string;
  attributes: string;
  receive_count: number;
  source_queue: string | null;
  last_error: string | null;
  sent_at: number;
  enqueued_at: number;
  transaction_id: string | null;
}

/** The columns of a dead letter row (`messages`) that toDeadLetterMessage reads. */
export const DEAD_ROW_COLUMNS =
  'id, queue, body, attributes, receive_count, source_queue, last_error, sent_at, enqueued_at, transaction_id';

export function toDeadLetterMessage(r: DeadRow, queueId: string): DeadLetterMessage {
  return {
    id: String(r.id),
    queueId,
    body: r.body,
    attributes: JSON.parse(r.attributes) as Record<string, string>,
    receiveCount: r.receive_count,
    sourceQueue: NAMES.queues.find((q) => q.id === (r.source_queue ?? queueId))?.source ?? r.source_queue ?? queueId,
    lastError: r.last_error,
    sentAt: iso(r.sent_at),
    deadLetteredAt: iso(r.enqueued_at),
    transactionId: r.transaction_id,
  };
}

/** Throws NotFound unless `queueId` names one of the platform's queue pairs. */
export function requireQueue(queueId: string, field = 'queueId'): void {
  if (!queuePairs.some((q) => q.id === queueId))
    throw new PlatformError('NotFound', `queue pair ${queueId} does not exist`, field);
}

/** Queue pairs with their depths, and the messages in their DLQs. */
export function createQueues(ctx: LocalContext) {
  const { db, region, now } = ctx;
  const queueStats = makeQueueStats(db);

  return {
    listQueuePairs(): QueuePair[] {
      const at = now();
      return NAMES.queues.map((q) => ({
        id: q.id,
        region,
        source: { name: q.source, ...queueStats(q.id, at) },
        dlq: { name: q.dlq, ...queueStats(dlqOf(q.id), at) },
        maxReceiveCount: MAX_RECEIVE_COUNT,
      }));
    },

    listDeadLetters(input: ListDeadLettersInput): Page<DeadLetterMessage> {
      requireQueue(input.queueId);
      const limit = clampLimit(input.limit);
      const after = decodeCursor(input.cursor, isPair);
      const where = ['queue = ?'];
      const params: (string | number)[] = [dlqOf(input.queueId)];
      if (after) {
        where.push('(enqueued_at < ? OR (enqueued_at = ? AND id < ?))');
        params.push(after[0], after[0], after[1]);
      }
      const search = input.search?.trim();
      if (search) {
        where.push("(transaction_id = ? OR last_error LIKE ? ESCAPE '\\')");
        params.push(search, `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      }
      const rows = db
        .prepare<(string | number)[], DeadRow>(
          `SELECT ${DEAD_ROW_COLUMNS} FROM messages WHERE ${where.join(' AND ')} ORDER BY enqueued_at DESC, id DESC LIMIT ?`,
        )
        .all(...params, limit + 1);
      return pageOf(
        rows,
        limit,
        (r) => toDeadLetterMessage(r, input.queueId),
        (last) => [last.enqueued_at, last.id],
      );
    },
  };
}
