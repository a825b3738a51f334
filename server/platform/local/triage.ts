import 'server-only';
import { dlqOf } from '../../../infra/embedded/db';
import { localMessageIdSchema, MAX_EXPORTED_DEAD_LETTERS } from '../inputs.schema';
import { PlatformError } from '../port';
import type {
  DeadLetterExport,
  DeadLetterIndexEntry,
  FailureClassSummary,
  FailureVerdict,
  RemoveDeadLettersResult,
} from '../triage.schema';
import { iso, type LocalContext } from './context';
import { DEAD_ROW_COLUMNS, requireQueue, toDeadLetterMessage, type DeadRow } from './queues';

interface IndexRow {
  message_id: number;
  queue_id: string;
  class_id: string;
  error_type: string;
  step: string;
  verdict: FailureVerdict;
  normalised: string;
  error: string;
  transaction_id: string | null;
  at: number;
}

/** Of a list of local message ids: the numbers, or Invalid naming the first bad one. */
export function localIds(ids: readonly string[], field: string): number[] {
  const bad = ids.findIndex((m) => !localMessageIdSchema.safeParse(m).success);
  if (bad >= 0)
    throw new PlatformError(
      'Invalid',
      `${field}.${bad}: ${JSON.stringify(ids[bad]!.slice(0, 100))} is not a local message id (a decimal integer)`,
      `${field}.${bad}`,
    );
  return ids.map(Number);
}

/**
 * Dead-letter triage on the embedded platform's failure index (infra/embedded/failure-index.ts):
 * class counts, search by transaction id, export and removal. The index holds exactly the DLQs'
 * messages (a dead letter's row leaves with it), so every answer is exact.
 */
export function createTriage(ctx: LocalContext) {
  const { db, immediate } = ctx;
  const s = {
    // The per-class aggregates (migration 4's triggers keep them): a few rows whatever the depth.
    classes: db.prepare<[string], { class_id: string; n: number; first: number; last: number; sample: number }>(
      `SELECT class_id, count AS n, first_seen AS first, last_seen AS last, sample_id AS sample
       FROM failure_classes WHERE queue_id = ? AND count > 0 ORDER BY count DESC, class_id`,
    ),
    entry: db.prepare<[number], IndexRow>('SELECT * FROM failure_index WHERE message_id = ?'),
    body: db.prepare<[number], { body: string }>('SELECT substr(body, 1, 300) AS body FROM messages WHERE id = ?'),
    byTx: db.prepare<[string, string], IndexRow>(
      'SELECT * FROM failure_index WHERE transaction_id = ? AND queue_id = ? ORDER BY at DESC LIMIT 100',
    ),
    exportRows: db.prepare<[string, string, string, number], DeadRow & IndexRow>(
      `SELECT ${DEAD_ROW_COLUMNS.split(', ')
        .map((c) => `m.${c}`)
        .join(', ')}, f.class_id, f.error_type, f.step, f.verdict, f.error
       FROM failure_index f JOIN messages m ON m.id = f.message_id
       WHERE f.queue_id = ? AND f.class_id IN (SELECT value FROM json_each(?)) AND m.queue = ? ORDER BY m.id LIMIT ?`,
    ),
    indexed: db.prepare<[string, string], { n: number }>(
      'SELECT count(*) AS n FROM failure_index WHERE queue_id = ? AND class_id IN (SELECT value FROM json_each(?))',
    ),
    present: db.prepare<[string, string], { id: number }>(
      'SELECT id FROM messages WHERE queue = ? AND id IN (SELECT value FROM json_each(?))',
    ),
    remove: db.prepare('DELETE FROM messages WHERE queue = ? AND id IN (SELECT value FROM json_each(?))'),
    count: db.prepare(
      'INSERT INTO queue_counts (queue, total) VALUES (?, ?) ON CONFLICT(queue) DO UPDATE SET total = total + excluded.total',
    ),
  };

  const toEntry = (r: IndexRow): DeadLetterIndexEntry => ({
    messageId: String(r.message_id),
    queueId: r.queue_id,
    transactionId: r.transaction_id,
    classId: r.class_id,
    errorType: r.error_type,
    step: r.step,
    verdict: r.verdict,
    error: r.error,
    deadLetteredAt: iso(r.at),
  });

  return {
    listFailureClasses(queueId: string): FailureClassSummary[] {
      requireQueue(queueId);
      return db.transaction(() =>
        s.classes.all(queueId).flatMap((c) => {
          const e = s.entry.get(c.sample);
          if (!e) return [];
          return [
            {
              classId: c.class_id,
              queueId,
              errorType: e.error_type,
              step: e.step,
              normalisedMessage: e.normalised,
              verdict: e.verdict,
              count: c.n,
              firstSeen: iso(c.first),
              lastSeen: iso(c.last),
              sample: {
                messageId: String(e.message_id),
                transactionId: e.transaction_id,
                error: e.error,
                bodyExcerpt: s.body.get(e.message_id)?.body ?? null,
              },
            },
          ];
        }),
      )();
    },

    searchDeadLetters(queueId: string, transactionId: string): DeadLetterIndexEntry[] {
      requireQueue(queueId);
      return s.byTx.all(transactionId.trim(), queueId).map(toEntry);
    },

    exportDeadLetters(queueId: string, classIds: string[]): DeadLetterExport {
      requireQueue(queueId);
      const json = JSON.stringify(classIds);
      return db.transaction(() => {
        const rows = s.exportRows.all(queueId, json, dlqOf(queueId), MAX_EXPORTED_DEAD_LETTERS);
        const indexed = s.indexed.get(queueId, json)?.n ?? 0;
        return {
          queueId,
          classIds,
          exportedAt: iso(ctx.now()),
          items: rows.map((r) => ({
            ...toDeadLetterMessage(r, queueId),
            classId: r.class_id,
            errorType: r.error_type,
            step: r.step,
            verdict: r.verdict,
            error: r.error,
          })),
          indexed,
          complete: rows.length === indexed,
          missing: [],
        };
      })();
    },

    /** DeleteMessage of exactly these ids (the trigger of migration 2 drops their index rows). */
    removeDeadLetters(queueId: string, messageIds: string[]): RemoveDeadLettersResult {
      requireQueue(queueId);
      const ids = localIds(messageIds, 'messageIds');
      const dlq = dlqOf(queueId);
      const json = JSON.stringify(ids);
      return immediate(() => {
        const present = new Set(s.present.all(dlq, json).map((r) => r.id));
        const { changes } = s.remove.run(dlq, json);
        if (changes > 0) s.count.run(dlq, -changes);
        return {
          queueId,
          removed: ids.filter((id) => present.has(id)).map(String),
          notFound: ids.filter((id) => !present.has(id)).map(String),
        };
      });
    },
  };
}
