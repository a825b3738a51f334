/**
 * What the redrive and replay loops record for their outcomes and options, in two side tables
 * created by migration 5 of db.ts (this DDL, with IF NOT EXISTS: data dirs made before it already
 * have them):
 * - `redrive_moved`: per moved message, its new id in the source queue and its transaction id.
 *   Dead-lettering keeps a message's id, so a moved message back in the DLQ is the failure-index
 *   row of that id.
 * - `replay_options`: a replay's filter (skip dead-lettered transactions) and rate (events/s).
 * The settle delay of both outcomes is OUTCOME_SETTLE_MS (infra/platform/limits.ts), shared with
 * the aws adapter.
 */

export const TASK_RECORDS_DDL = `
  CREATE TABLE IF NOT EXISTS redrive_moved (task_id TEXT NOT NULL, message_id INTEGER NOT NULL,
    transaction_id TEXT, PRIMARY KEY (task_id, message_id)) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS redrive_moved_message ON redrive_moved(message_id);
  CREATE TABLE IF NOT EXISTS replay_options (name TEXT PRIMARY KEY, exclude_dead_lettered INTEGER NOT NULL,
    rate INTEGER) WITHOUT ROWID;
`;

/**
 * The archive condition of a replay that skips dead-lettered transactions: those in the failure
 * index (in a DLQ) when the replay started (its one parameter), so the replay's own dead letters
 * do not change what it sends.
 */
export const NOT_DEAD_LETTERED_SQL =
  '(transaction_id IS NULL OR transaction_id NOT IN (SELECT transaction_id FROM failure_index WHERE transaction_id IS NOT NULL AND at < ?))';
