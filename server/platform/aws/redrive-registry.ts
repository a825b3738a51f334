import 'server-only';
import type { RedriveTask } from '../platform.schema';

/**
 * What this process knows of the redrives it started or saw. SQS lists a message-move task's
 * TaskHandle only while it is RUNNING, so the handles we started are kept here, tied to the
 * StartedTimestamp SQS reports (the only key left once the task ends). Selected-message redrives
 * (selected-redrive.ts) exist only here: their task as it progresses, and their cancel flag.
 */
export interface RedriveRecord {
  queueId: string;
  sourceArn: string;
  /** TaskHandle (move tasks) or our id (selected redrives). */
  id: string;
  startedAtMs: number | null;
  startedBy: string | null;
  /** Selected-message redrives only: the task as it progresses. */
  selectedTask?: RedriveTask;
  /** Selected-message redrives only: set by cancelRedrive, checked before each message. */
  cancelRequested?: boolean;
  /**
   * Selected-message redrives only: the transaction id of each message moved, in order (null: its
   * body names none), and those seen dead-lettered again since the start (redrive-outcomes.ts).
   */
  movedTransactions?: (string | null)[];
  backTransactions?: Set<string>;
  /** Selected-message redrives only: settles when the background run ends (never rejects). */
  done?: Promise<void>;
  /** Move tasks we started: our clock just before StartMessageMoveTask was sent. */
  requestedAtMs?: number;
  /** Move tasks we started: our clock when StartMessageMoveTask answered. */
  acceptedAtMs?: number;
  /** Move tasks we started: DLQ depth read just before the start (the total until SQS lists the task). */
  depthBefore?: number | null;
}

/** In-memory store of the TaskHandles we started (AWS returns a handle only while RUNNING). */
export class RedriveRegistry {
  private readonly byId = new Map<string, RedriveRecord>();
  private readonly byStart = new Map<string, RedriveRecord>();

  put(record: RedriveRecord): void {
    this.byId.set(record.id, record);
    // Bounded: forget the oldest finished records (SQS itself keeps only the last 10 tasks per queue).
    if (this.byId.size > 1000) {
      for (const [id, r] of this.byId) {
        if (this.byId.size <= 900) break;
        const running =
          r.selectedTask && (r.selectedTask.status === 'RUNNING' || r.selectedTask.status === 'CANCELLING');
        if (!running) this.byId.delete(id);
      }
    }
    if (record.startedAtMs !== null) this.byStart.set(`${record.sourceArn}@${record.startedAtMs}`, record);
  }
  get(id: string): RedriveRecord | undefined {
    return this.byId.get(id);
  }
  /** Ties a record to the StartedTimestamp SQS reports for it (the only key left once the task ends). */
  setStarted(record: RedriveRecord, startedAtMs: number): void {
    record.startedAtMs = startedAtMs;
    this.byStart.set(`${record.sourceArn}@${startedAtMs}`, record);
  }
  /** Move tasks we started on this DLQ whose StartedTimestamp is not known yet. */
  unlisted(sourceArn: string): RedriveRecord[] {
    return [...this.byId.values()].filter(
      (r) => r.sourceArn === sourceArn && !r.selectedTask && r.startedAtMs === null && r.requestedAtMs !== undefined,
    );
  }
  byStartTime(sourceArn: string, startedAtMs: number): RedriveRecord | undefined {
    return this.byStart.get(`${sourceArn}@${startedAtMs}`);
  }
  /** A selected-message redrive still running on the queue, if any. */
  runningSelected(queueId: string): RedriveTask | undefined {
    return this.selected(queueId).find((t) => t.status === 'RUNNING' || t.status === 'CANCELLING');
  }
  selected(queueId?: string): RedriveTask[] {
    return [...this.byId.values()].flatMap((r) =>
      r.selectedTask && (!queueId || r.queueId === queueId) ? [r.selectedTask] : [],
    );
  }
  /**
   * The record of a task SQS lists, as known before this listing (undefined if none); records
   * what the listing tells: a handle first seen here (e.g. a task started from the AWS console)
   * is kept for later lookups, and a task we started is tied to its StartedTimestamp.
   */
  recordListed(
    queueId: string,
    sourceArn: string,
    handle: string | undefined,
    started: number | null,
  ): RedriveRecord | undefined {
    const record =
      (handle ? this.get(handle) : undefined) ?? (started !== null ? this.byStartTime(sourceArn, started) : undefined);
    if (handle && started !== null && !record) {
      this.put({ queueId, sourceArn, id: handle, startedAtMs: started, startedBy: null });
    } else if (handle && record && record.startedAtMs === null && started !== null) {
      this.setStarted(record, started);
    }
    return record;
  }
}
