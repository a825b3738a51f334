/**
 * What the redrive and replay loops record for their outcomes and options, in two side tables
 * created here (idempotent DDL, run by the engine's loops and by the console's local adapter,
 * whichever opens the file first): they belong in the next migration of db.ts.
 * - `redrive_moved`: per moved message, its new id in the source queue and its transaction id.
 *   Dead-lettering keeps a message's id, so a moved message back in the DLQ is the failure-index
 *   row of that id.
 * - `replay_options`: a replay's filter (skip dead-lettered transactions) and rate (events/s).
 */
import type { Db } from './db';

export const TASK_RECORDS_DDL = `
  CREATE TABLE IF NOT EXISTS redrive_moved (task_id TEXT NOT NULL, message_id INTEGER NOT NULL,
    transaction_id TEXT, PRIMARY KEY (task_id, message_id)) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS redrive_moved_message ON redrive_moved(message_id);
  CREATE TABLE IF NOT EXISTS replay_options (name TEXT PRIMARY KEY, exclude_dead_lettered INTEGER NOT NULL,
    rate INTEGER) WITHOUT ROWID;
`;

const ready = new WeakSet<Db>();

export function ensureTaskRecords(db: Db): void {
  if (ready.has(db)) return;
  db.exec(TASK_RECORDS_DDL);
  ready.add(db);
}

/**
 * A failing message returns to its DLQ after its third receive: each retry waits the failure
 * delay (1 s by default), or a whole visibility timeout (the policy's 6 × the 5 s function
 * timeout = 30 s) when a consumer died holding it. A task's outcome is final when every sent
 * message has left the source queue, or at the latest this long after the task ended:
 * 3 receives × 30 s + one minute of margin for a backlog ahead of the moved messages.
 */
export const OUTCOME_SETTLE_MS = 150_000;

/**
 * The archive condition of a replay that skips dead-lettered transactions: those in the failure
 * index (in a DLQ) when the replay started (its one parameter), so the replay's own dead letters
 * do not change what it sends.
 */
export const NOT_DEAD_LETTERED_SQL =
  '(transaction_id IS NULL OR transaction_id NOT IN (SELECT transaction_id FROM failure_index WHERE transaction_id IS NOT NULL AND at < ?))';
