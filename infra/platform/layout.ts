/**
 * Data layouts the aws adapter READS and the platform's Lambdas (infra/, CDK helper) WRITE:
 * the archive index, the saga state table's summary item, the ledger table, and the names of
 * Step Functions executions. Pure (no AWS, no Node APIs): infra code may import it so both sides
 * share one definition.
 */

// ---------------------------------------------------------------- executions

/** Step Functions execution names: 1-80 chars, no whitespace, brackets, wildcards or "#%\^|~`$&,;:/ ". */
const EXECUTION_NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/g;

/** 64-bit FNV-1a pair, hex: a stable tag that keeps distinct ids distinct after sanitising. Pure JS. */
function digest(value: string): string {
  const fnv = (seed: number) => {
    let h = seed;
    for (let i = 0; i < value.length; i++) {
      h ^= value.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16).padStart(8, '0');
  };
  return fnv(0x811c9dc5) + fnv(0x050c5d1f);
}

/**
 * A valid execution name for `raw`: `raw` itself when it already is one, otherwise its sanitised
 * prefix plus a hash of the original, so two ids never map to one name (`a:b` vs `a_b`).
 */
function executionName(raw: string, max: number): string {
  const clean = raw.replace(EXECUTION_NAME_FORBIDDEN, '_');
  if (clean === raw && raw.length <= max && raw.length > 0) return raw;
  const tag = `-${digest(raw)}`;
  return `${clean.slice(0, max - tag.length)}${tag}`;
}

/** The saga id of a transaction = the name of its Step Functions execution (the processor starts it with this name). */
export function sagaIdFor(transactionId: string): string {
  return executionName(transactionId, 80);
}

const COMPENSATION_EXECUTION_SUFFIX = '--compensate';

/** The execution that compensates saga `sagaId`: one per saga, so a retried request cannot start two. */
export function compensationExecutionName(sagaId: string): string {
  return `${executionName(sagaId, 80 - COMPENSATION_EXECUTION_SUFFIX.length)}${COMPENSATION_EXECUTION_SUFFIX}`;
}

/** True for a compensation-mode execution's name (compensationExecutionName): it belongs to its saga, not a list. */
export function isCompensationExecutionName(name: string): boolean {
  return name.endsWith(COMPENSATION_EXECUTION_SUFFIX);
}

/** Input of the compensation-mode execution (the state machine's first state branches on `mode`). */
export interface CompensationExecutionInput {
  mode: 'compensate';
  sagaId: string;
  transactionId: string;
  /** The original execution's input transaction and step results, for the compensation tasks. */
  transaction: unknown;
  results: Record<string, unknown>;
  reason: string;
  requestedBy: string;
}

// ---------------------------------------------------------------- archive index

/**
 * The archive index (DynamoDB): one item per archived event, written by an indexer subscribed to
 * the same event pattern as the archive. EventBridge offers no API that reads archived events, so
 * replay previews query this table.
 *   pk  = `${hour}#${shard}`   hour = "YYYY-MM-DDTHH" (UTC) of the event time, shard = 0..SHARDS-1
 *   sk  = `${time}#${eventId}` time = event time as ISO-8601 UTC with milliseconds
 *   attributes: eventId, time, source, detailType, transactionId (or absent), detail (JSON text),
 *               expiryTime (epoch seconds, TTL = event time + archive retention)
 * Shards spread one hour's writes over several partitions (≥ 1,600 events/s at full capacity).
 */
export const ARCHIVE_INDEX_SHARDS = 8;

export function indexTime(time: string): string {
  const ms = Date.parse(time);
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${time}`);
  return new Date(ms).toISOString();
}

/** FNV-1a (32 bit) of the event id, mod the shard count. */
export function archiveIndexShard(eventId: string, shards = ARCHIVE_INDEX_SHARDS): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < eventId.length; i++) {
    h ^= eventId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

export function archiveIndexKey(event: { id: string; time: string }): { pk: string; sk: string } {
  const time = indexTime(event.time);
  return { pk: `${time.slice(0, 13)}#${archiveIndexShard(event.id)}`, sk: `${time}#${event.id}` };
}

/** The hour buckets ("YYYY-MM-DDTHH") a window [start, end] touches, oldest first. */
export function hourBuckets(startMs: number, endMs: number): string[] {
  const out: string[] = [];
  const hour = 3_600_000;
  for (let t = Math.floor(startMs / hour) * hour; t <= endMs; t += hour)
    out.push(new Date(t).toISOString().slice(0, 13));
  return out;
}

// ---------------------------------------------------------------- saga state table

/**
 * Summary item of a saga in the saga table (pk sagaId, sk SAGA_SUMMARY_SK), kept current by the
 * saga's tasks: status ∈ RUNNING|SUCCEEDED|COMPENSATING|COMPENSATED|FAILED, transactionId,
 * amount, currency, startedAt/endedAt (ISO), failedStep, error, updatedAt (epoch ms, GSI byStatus).
 */
export const SAGA_SUMMARY_SK = 'SUMMARY';

// ---------------------------------------------------------------- ledger table

/**
 * Ledger table items (pk, sk):
 *   account: pk `ACCOUNT#<id>`, sk `ACCOUNT`, balance (number), held (number), currency
 *   hold:    pk `HOLD#<transactionId>`, sk `HOLD`, account, amount, state HELD|CAPTURED|RELEASED
 *   total:   pk `LEDGER`, sk `EXPECTED_TOTAL`, expectedTotal (number): the sum of all balances
 *            at seeding time; money is only moved, so the live sum must always equal it.
 */
export const LEDGER = {
  accountPrefix: 'ACCOUNT#',
  accountSk: 'ACCOUNT',
  holdPrefix: 'HOLD#',
  holdSk: 'HOLD',
  totalKey: { pk: 'LEDGER', sk: 'EXPECTED_TOTAL' },
} as const;

// ---------------------------------------------------------------- failure index

/**
 * The failure index (DynamoDB, one table per region, on the stage's CMK): the processor writes an
 * entry when a message fails for the last time (ApproximateReceiveCount ≥ maxReceiveCount), before
 * SQS moves it to the DLQ; the console's triage, search, class-selected redrive, export and removal
 * read it, and delete an entry (and count its class down) when its message leaves the DLQ through
 * the console (redriven by id or class, removed). SQS cannot be queried, this can:
 *   entry:  pk `M#<queueId>#<messageId>`, sk `E`; messageId, queueId, classId, errorType, step,
 *           verdict, normalisedMessage, error, transactionId (absent if unknown), at (ISO),
 *           expiryTime (TTL, epoch s)
 *           GSI byClass:       classKey `<queueId>#<classId>`, classSk `<at>#<messageId>`
 *                              (a class's messages: class-selected redrive and export)
 *           GSI byTransaction: txKey `<queueId>#<transactionId>`, at (search by transaction id)
 *   class:  pk `C#<queueId>`, sk `<classId>`; count (N), firstSeen, lastSeen (ISO), errorType,
 *           step, verdict, normalisedMessage, sampleMessageId, sampleTransactionId, sampleError,
 *           expiryTime: the DLQ's class counts are ONE query (pk = `C#<queueId>`).
 * Entries expire FAILURE_INDEX_TTL_DAYS after the failure: beyond the DLQ's retention (14 days,
 * the SQS maximum), so an entry never disappears before its message.
 */
export const FAILURE_INDEX_TTL_DAYS = 15;
export const FAILURE_INDEX_GSI = { byClass: 'byClass', byTransaction: 'byTransaction' } as const;

/** The failure index table of a stage prefix (`ledgerline-<stage>`). */
export function failureIndexTableName(prefix: string): string {
  return `${prefix}-failure-index`;
}

export const failureIndexKeys = {
  entry: (queueId: string, messageId: string) => ({ pk: `M#${queueId}#${messageId}`, sk: 'E' }),
  classItem: (queueId: string, classId: string) => ({ pk: `C#${queueId}`, sk: classId }),
  classesPk: (queueId: string) => `C#${queueId}`,
  classKey: (queueId: string, classId: string) => `${queueId}#${classId}`,
  classSk: (at: string, messageId: string) => `${at}#${messageId}`,
  txKey: (queueId: string, transactionId: string) => `${queueId}#${transactionId}`,
} as const;

/** The TTL (epoch seconds) of an entry or class item last written for a failure at `atMs`. */
export function failureIndexExpiry(atMs: number): number {
  return Math.floor(atMs / 1000) + FAILURE_INDEX_TTL_DAYS * 86_400;
}
