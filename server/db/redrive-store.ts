import 'server-only';

/**
 * The console's records of the redrives it started on AWS, shared by every console task (the aws
 * adapter's registry, server/platform/aws/redrive-registry.ts, reads and writes them here).
 * SQS lists a message-move task's TaskHandle only while it is RUNNING and never says who started
 * it; a redrive of selected messages is run by one console task (selected-redrive.ts) and exists
 * only here. Behind the load balancer any task may answer the next read or the cancel, so what
 * one task knows of a redrive must be in the state table, not in its memory.
 *
 * Every status move of a selected redrive is ONE conditional write:
 *  - `progress` and `finish` land only while the stored status is RUNNING or CANCELLING (the
 *    runner learns from a refused write that another task ended its run, and stops);
 *  - `requestCancel` only while RUNNING (any task may ask; the runner reads it from `progress`);
 *  - `abandon` only while RUNNING or CANCELLING AND the runner's heartbeat is older than the given
 *    time (another task declares a run whose console task stopped, exactly once).
 */

export type StoredRedriveStatus = 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

/** A redrive of selected messages (or of failure classes): the task as it progresses. */
export interface StoredSelectedRun {
  status: StoredRedriveStatus;
  moved: number;
  total: number;
  /** msg/s; null = unthrottled. */
  rate: number | null;
  selection: 'selected' | 'classes';
  classIds: string[] | null;
  endedAtMs: number | null;
  failureReason: string | null;
  /** The runner's last sign of life (our clock, ms). */
  heartbeatAtMs: number;
  /** How long the runner holds the DLQ messages it receives (their visibility timeout, s); null until known. */
  holdSeconds: number | null;
  /**
   * The transaction id of each message moved, in order (null: its body names none). Its length
   * can differ from `moved` only while a progress write is pending. Up to 10,000 entries.
   */
  movedTransactions: (string | null)[];
}

export interface StoredRedrive {
  /** The TaskHandle (message-move tasks) or our id `${queueId}:selected:${random}` (selected redrives). */
  id: string;
  queueId: string;
  /** The DLQ's ARN (SourceArn of the move task). */
  sourceArn: string;
  region: string;
  /** When the record was made (our clock, ms): the listing order. */
  createdAtMs: number;
  /** Operator id of who started it; null for a message-move task started outside the console (first seen in a listing). */
  startedBy: string | null;
  /** Message-move tasks: SQS's StartedTimestamp once a listing tied it to this record; null before. Selected: null. */
  startedAtMs: number | null;
  /** Message-move tasks we started: our clock just before StartMessageMoveTask was sent; else null. */
  requestedAtMs: number | null;
  /** Message-move tasks we started: our clock when StartMessageMoveTask answered; else null. */
  acceptedAtMs: number | null;
  /** Message-move tasks we started: the DLQ depth read just before the start; else null. */
  depthBefore: number | null;
  /** Selected and class redrives only; null for message-move tasks. */
  selected: StoredSelectedRun | null;
}

/**
 * A record as a listing gives it: without the moved transaction ids (a listing shows status and
 * counts; the ids are read per redrive, by `get`, when its outcome is computed).
 */
export type StoredRedriveSummary = Omit<StoredRedrive, 'selected'> & {
  selected: Omit<StoredSelectedRun, 'movedTransactions'> | null;
};

/** The record without its moved transaction ids. */
export function summaryOf(record: StoredRedrive): StoredRedriveSummary {
  if (!record.selected) return { ...record, selected: null };
  const { movedTransactions: _ids, ...selected } = record.selected;
  return { ...record, selected };
}

export interface RedriveProgress {
  moved: number;
  heartbeatAtMs: number;
  holdSeconds?: number;
  /** The whole list so far; entries from `changedFrom` on are new since the last write. */
  movedTransactions: readonly (string | null)[];
  changedFrom: number;
}

export interface RedriveFinish {
  status: 'COMPLETED' | 'CANCELLED' | 'FAILED';
  moved: number;
  endedAtMs: number;
  failureReason: string | null;
  movedTransactions: readonly (string | null)[];
  changedFrom: number;
}

export interface RedriveStore {
  /** Stores a new record (refused if the id exists: throws). */
  create(record: StoredRedrive): Promise<void>;
  /** The record with its moved transaction ids (what an outcome needs). */
  get(id: string): Promise<StoredRedrive | null>;
  /** The record without them: one item read, whatever the run moved (what a status needs). */
  summary(id: string): Promise<StoredRedriveSummary | null>;
  /**
   * The queue's records, newest `createdAtMs` first (ties: id descending), at most `limit`, without
   * their moved transaction ids (one read however many redrives moved how many messages).
   */
  recent(queueId: string, limit: number): Promise<StoredRedriveSummary[]>;
  /** Ties a message-move record to SQS's StartedTimestamp; only while none is set (true: it landed). */
  setStarted(id: string, startedAtMs: number): Promise<boolean>;
  /**
   * The runner's progress of a selected redrive. Lands only while the stored status is RUNNING or
   * CANCELLING; returns the record after the write (its status says whether a cancel was
   * requested), or null when it did not land (the run was ended by another task: stop).
   */
  progress(id: string, p: RedriveProgress): Promise<StoredRedrive | null>;
  /** Ends a selected redrive; only while RUNNING or CANCELLING (true: it landed). */
  finish(id: string, f: RedriveFinish): Promise<boolean>;
  /** RUNNING → CANCELLING; returns the record after, or null if it was not RUNNING (or is unknown). */
  requestCancel(id: string): Promise<StoredRedrive | null>;
  /**
   * Ends a run whose runner stopped: status → FAILED with the reason and end time, only while
   * RUNNING or CANCELLING and heartbeatAtMs <= staleBefore (true: it landed).
   */
  abandon(id: string, staleBefore: number, endedAtMs: number, failureReason: string): Promise<boolean>;
}
