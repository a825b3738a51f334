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
