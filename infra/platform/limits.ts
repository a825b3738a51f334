/**
 * The AWS limits both executors of the platform obey, defined once: the console's input
 * schemas, the aws adapter (which AWS would refuse past them) and the embedded platform's
 * adapter (which enforces them as AWS would) import them from here. Pure data.
 */

/** SQS StartMessageMoveTask: at most 500 messages per second. */
export const MAX_REDRIVE_RATE = 500;

/** Messages one "redrive selected" may name (the console's own bound: one page of selection). */
export const MAX_SELECTED_MESSAGES = 1000;

/** EventBridge: at most 10 active replays per account and region. */
export const MAX_ACTIVE_REPLAYS = 10;

/** EventBridge archives ingest events up to ~10 minutes late: a replay window must end before now − this. */
export const ARCHIVE_INGESTION_LAG_SECONDS = 600;

/** Step Functions RedriveExecution: a Standard execution can be redriven within 14 days of its stop. */
export const EXECUTION_REDRIVE_WINDOW_MS = 14 * 86_400_000;

/**
 * A failing message returns to its DLQ after its third receive: each retry waits the failure
 * delay (1 s by default), or a whole visibility timeout (the policy's 6 × the 5 s function
 * timeout = 30 s) when a consumer died holding it. A redrive's or replay's outcome is final when
 * every sent message has left the source queue, or at the latest this long after the task ended:
 * 3 receives × 30 s + one minute of margin for a backlog ahead of the moved messages. Both
 * adapters settle outcomes on it (the embedded one also earlier, when it sees the queue empty).
 */
export const OUTCOME_SETTLE_MS = 150_000;
