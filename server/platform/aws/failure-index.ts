import 'server-only';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { FAILURE_INDEX_GSI, failureIndexKeys } from '../../../infra/platform/layout';
import { PlatformError } from '../port';
import type { DeadLetterIndexEntry, FailureClassSummary, FailureVerdict } from '../triage.schema';
import type { Ctx } from './clients';
import { call } from './errors';
import { pairFor } from './queue-pairs';

/**
 * The failure index on AWS (layout in infra/platform/layout.ts; written by the processor Lambda
 * when a message fails for the last time): the DLQ's class counts (one Query of its class items),
 * search by transaction id (one Query of the byTransaction index), a class's messages (byClass)
 * and, when the console moves or removes a dead letter, the deletion of its entry with its class
 * counted down; the replay preview reads the transactions of the permanent classes, and the task
 * outcomes what came back since a task started (task-outcomes.ts). A whole-DLQ redrive
 * (StartMessageMoveTask) does not say which messages it moved:
 * their entries stay until their TTL (see the report of issue 17 / redrives.ts).
 */

interface EntryItem {
  messageId: string;
  queueId: string;
  transactionId?: string;
  classId: string;
  errorType: string;
  step: string;
  verdict: FailureVerdict;
  error: string;
  at: string;
}
interface ClassItem {
  sk: string;
  count?: number;
  firstSeen: string;
  lastSeen: string;
  errorType: string;
  step: string;
  verdict: FailureVerdict;
  normalisedMessage: string;
  sampleMessageId?: string;
  sampleTransactionId?: string | null;
  sampleError?: string;
  sampleBody?: string;
}

/** The table as processing.ts creates it (keys and GSIs, all attributes projected): tests and the bench. */
export function failureIndexTableInput(TableName: string): CreateTableCommandInput {
  const S = 'S' as const;
  const gsi = (IndexName: string, hash: string, range: string) => ({
    IndexName,
    KeySchema: [
      { AttributeName: hash, KeyType: 'HASH' as const },
      { AttributeName: range, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  return {
    TableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: ['pk', 'sk', 'classKey', 'classSk', 'txKey', 'at'].map((AttributeName) => ({
      AttributeName,
      AttributeType: S,
    })),
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      gsi(FAILURE_INDEX_GSI.byClass, 'classKey', 'classSk'),
      gsi(FAILURE_INDEX_GSI.byTransaction, 'txKey', 'at'),
    ],
  };
}

function tableOf(ctx: Ctx): string {
  const t = ctx.config.failureIndexTable;
  if (!t)
    throw new PlatformError(
      'Unavailable',
      'this stack has no failure index (stack output FailureIndexTableName): dead-letter triage is unavailable',
    );
  return t;
}

/** Every item of a query (all pages), or up to `max`. */
async function queryAll<T>(ctx: Ctx, input: QueryCommandInput, what: string, max = Infinity): Promise<T[]> {
  const out: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await call(what, () => ctx.aws.dynamodb.send(new QueryCommand({ ...input, ExclusiveStartKey: start })));
    for (const item of res.Items ?? []) if (out.length < max) out.push(item as T);
    start = res.LastEvaluatedKey;
  } while (start && out.length < max);
  return out;
}

export const toIndexEntry = (e: EntryItem): DeadLetterIndexEntry => ({
  messageId: e.messageId,
  queueId: e.queueId,
  transactionId: e.transactionId ?? null,
  classId: e.classId,
  errorType: e.errorType,
  step: e.step,
  verdict: e.verdict,
  error: e.error,
  deadLetteredAt: e.at,
});

/** A class's entries, oldest first (byClass), up to `max`. */
export async function classEntries(ctx: Ctx, queueId: string, classId: string, max: number): Promise<EntryItem[]> {
  return queryAll<EntryItem>(
    ctx,
    {
      TableName: tableOf(ctx),
      IndexName: FAILURE_INDEX_GSI.byClass,
      KeyConditionExpression: 'classKey = :k',
      ExpressionAttributeValues: { ':k': failureIndexKeys.classKey(queueId, classId) },
    },
    `Query of the failure index (class ${classId})`,
    max,
  );
}

export async function listFailureClasses(ctx: Ctx, queueId: string): Promise<FailureClassSummary[]> {
  pairFor(ctx, queueId);
  const items = await queryAll<ClassItem>(
    ctx,
    {
      TableName: tableOf(ctx),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': failureIndexKeys.classesPk(queueId) },
    },
    'Query of the failure index (classes)',
  );
  const classes: FailureClassSummary[] = [];
  for (const c of items) {
    if ((c.count ?? 0) <= 0) continue;
    let sample = c.sampleMessageId
      ? {
          messageId: c.sampleMessageId,
          transactionId: c.sampleTransactionId ?? null,
          error: c.sampleError ?? '',
          bodyExcerpt: c.sampleBody ?? null,
        }
      : null;
    if (!sample) {
      // The sample was redriven or removed: the class's oldest remaining entry stands in.
      const [e] = await classEntries(ctx, queueId, c.sk, 1);
      if (e)
        sample = { messageId: e.messageId, transactionId: e.transactionId ?? null, error: e.error, bodyExcerpt: null };
    }
    if (!sample) continue;
    classes.push({
      classId: c.sk,
      queueId,
      errorType: c.errorType,
      step: c.step,
      normalisedMessage: c.normalisedMessage,
      verdict: c.verdict,
      count: c.count ?? 0,
      firstSeen: c.firstSeen,
      lastSeen: c.lastSeen,
      sample,
    });
  }
  return classes.sort((a, b) => b.count - a.count || a.classId.localeCompare(b.classId));
}

export async function searchDeadLetters(
  ctx: Ctx,
  queueId: string,
  transactionId: string,
): Promise<DeadLetterIndexEntry[]> {
  pairFor(ctx, queueId);
  const items = await queryAll<EntryItem>(
    ctx,
    {
      TableName: tableOf(ctx),
      IndexName: FAILURE_INDEX_GSI.byTransaction,
      KeyConditionExpression: 'txKey = :k',
      ExpressionAttributeValues: { ':k': failureIndexKeys.txKey(queueId, transactionId.trim()) },
      ScanIndexForward: false,
      Limit: 100,
    },
    'Query of the failure index (transaction)',
    100,
  );
  return items.map(toIndexEntry);
}

/** The most transaction ids a replay preview reads from the failure index (permanentTransactions). */
export const PERMANENT_TRANSACTIONS_LIMIT = 10_000;

/**
 * The transactions dead-lettered on these queues' DLQs with a permanent failure class (they fail
 * again if replayed): the DLQs' class items, then each permanent class's entries (byClass,
 * transaction ids only), at most `max` ids; `complete` is false when the limit cut the reading short.
 */
export async function permanentTransactions(
  ctx: Ctx,
  queueIds: readonly string[],
  max = PERMANENT_TRANSACTIONS_LIMIT,
): Promise<{ ids: Set<string>; complete: boolean }> {
  const ids = new Set<string>();
  const TableName = tableOf(ctx);
  for (const queueId of queueIds) {
    const classes = await queryAll<ClassItem>(
      ctx,
      {
        TableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': failureIndexKeys.classesPk(queueId) },
      },
      'Query of the failure index (classes)',
    );
    for (const c of classes) {
      if (c.verdict !== 'permanent' || (c.count ?? 0) <= 0) continue;
      if (ids.size >= max) return { ids, complete: false };
      const entries = await queryAll<Pick<EntryItem, 'transactionId'>>(
        ctx,
        {
          TableName,
          IndexName: FAILURE_INDEX_GSI.byClass,
          KeyConditionExpression: 'classKey = :k',
          ExpressionAttributeValues: { ':k': failureIndexKeys.classKey(queueId, c.sk) },
          ProjectionExpression: 'transactionId',
        },
        `Query of the failure index (class ${c.sk})`,
        max - ids.size + 1,
      );
      for (const e of entries) {
        if (!e.transactionId) continue;
        if (ids.size >= max) return { ids, complete: false };
        ids.add(e.transactionId);
      }
    }
  }
  return { ids, complete: true };
}

/**
 * Forgets dead letters that left the DLQ through the console (moved or removed): deletes each
 * entry and counts its class down (dropping the class's sample if it was this message). Best
 * effort per message: returns how many entries it could not forget (logged), never throws.
 */
export async function forgetDeadLetters(ctx: Ctx, queueId: string, messageIds: readonly string[]): Promise<number> {
  const table = ctx.config.failureIndexTable;
  if (!table) return 0;
  let failed = 0;
  for (const messageId of messageIds) {
    try {
      const res = await ctx.aws.dynamodb.send(
        new DeleteCommand({
          TableName: table,
          Key: failureIndexKeys.entry(queueId, messageId),
          ReturnValues: 'ALL_OLD',
        }),
      );
      const old = res.Attributes as EntryItem | undefined;
      if (!old) continue;
      const Key = failureIndexKeys.classItem(queueId, old.classId);
      const after = await ctx.aws.dynamodb.send(
        new UpdateCommand({
          TableName: table,
          Key,
          UpdateExpression: 'ADD #count :minus',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':minus': -1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if ((after.Attributes as ClassItem | undefined)?.sampleMessageId === messageId)
        await ctx.aws.dynamodb.send(
          new UpdateCommand({
            TableName: table,
            Key,
            UpdateExpression: 'REMOVE sampleMessageId, sampleTransactionId, sampleError, sampleBody',
            ConditionExpression: 'sampleMessageId = :m',
            ExpressionAttributeValues: { ':m': messageId },
          }),
        );
    } catch (error) {
      failed++;
      console.warn(
        JSON.stringify({
          msg: 'a dead letter left the DLQ but its failure index entry could not be forgotten',
          queueId,
          messageId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        }),
      );
    }
  }
  return failed;
}
