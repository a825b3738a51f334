import 'server-only';
import type { RedriveStore, StoredRedrive, StoredRedriveSummary } from '../../db/redrive-store';
import { redriveTaskSchema, type RedriveTask } from '../platform.schema';
import { iso } from './clients';

export type { StoredRedrive as RedriveRecord, StoredRedriveSummary as RedriveSummary } from '../../db/redrive-store';

/**
 * A selected redrive whose runner has not been heard from for this long is declared stopped. The
 * runner writes its progress every few seconds while it runs (selected-redrive.ts); one SQS or
 * DynamoDB call stuck in the SDK's retries stays well within this.
 */
export const SELECTED_STALE_MS = 60_000;

/** How many of a queue's newest records a listing reads (SQS itself lists only the last 10 move tasks). */
const RECENT = 50;

const active = (r: StoredRedriveSummary) => r.selected?.status === 'RUNNING' || r.selected?.status === 'CANCELLING';

/** A selected redrive's record as the port's task. */
export function selectedTaskOf(r: StoredRedriveSummary): RedriveTask {
  const s = r.selected;
  if (!s) throw new Error(`redrive ${r.id} is a message-move task`);
  return redriveTaskSchema.parse({
    id: r.id,
    queueId: r.queueId,
    region: r.region,
    status: s.status,
    moved: s.moved,
    total: s.total,
    rate: s.rate,
    selection: s.selection,
    ...(s.classIds ? { classIds: s.classIds } : {}),
    startedAt: iso(r.createdAtMs),
    endedAt: s.endedAtMs === null ? null : iso(s.endedAtMs),
    startedBy: r.startedBy,
    failureReason: s.failureReason,
  });
}

/** What this process does for a run it is executing: a cancel answered here is seen at once. */
interface LocalRun {
  cancelRequested: boolean;
}

/**
 * The redrives the console started, in the console's state table (server/db/redrive-store.ts),
 * shared by every console task: SQS lists a message-move task's TaskHandle only while it is
 * RUNNING and never says who started it, and a selected-message redrive (selected-redrive.ts)
 * exists only there. Any task may answer a read or a cancel; the runner of a selected redrive is
 * one task, and a run whose runner stopped (its task replaced, scaled in or crashed) is declared
 * FAILED by the first read that finds its heartbeat older than SELECTED_STALE_MS.
 * In memory here: only this process's own runs (cancel flag) and, per selected redrive, the
 * transactions already found back in the DLQ (an accelerator of outcome reads; any task rebuilds it).
 */
export class RedriveRegistry {
  private readonly local = new Map<string, LocalRun>();
  private readonly back = new Map<string, Set<string>>();

  constructor(readonly store: RedriveStore) {}

  /** The record without its moved ids (stale run settled): a status read costs one item. */
  async get(id: string, now: number): Promise<StoredRedriveSummary | null> {
    const record = await this.store.summary(id);
    return record ? this.settleStale(record, now) : null;
  }

  /** The queue's newest records (stale runs settled), for one listing's lookups. */
  async view(queueId: string, now: number): Promise<QueueRecords> {
    const records = await this.store.recent(queueId, RECENT);
    return new QueueRecords(this.store, await Promise.all(records.map((r) => this.settleStale(r, now))));
  }

  /** A selected redrive still running on the queue, if any (whichever task runs it). */
  async runningSelected(queueId: string, now: number): Promise<StoredRedriveSummary | undefined> {
    return (await this.view(queueId, now)).all().find(active);
  }

  startLocal(id: string): LocalRun {
    const run = { cancelRequested: false };
    this.local.set(id, run);
    return run;
  }
  endLocal(id: string): void {
    this.local.delete(id);
  }

  /** RUNNING → CANCELLING in the store (the runner, in whichever task, stops before its next message). */
  async requestCancel(id: string): Promise<StoredRedrive | null> {
    const after = await this.store.requestCancel(id);
    const run = this.local.get(id);
    if (after && run) run.cancelRequested = true;
    return after;
  }

  /** Transactions of a selected redrive already seen back in the DLQ (grows; never shrinks). */
  backOf(id: string): Set<string> {
    let found = this.back.get(id);
    if (!found) {
      if (this.back.size >= 1000) this.back.delete(this.back.keys().next().value as string);
      this.back.set(id, (found = new Set()));
    }
    return found;
  }

  /**
   * A RUNNING or CANCELLING selected redrive not heard from for SELECTED_STALE_MS (and not run by
   * this process) is ended FAILED, once, by a conditional write; then read again.
   */
  private async settleStale(record: StoredRedriveSummary, now: number): Promise<StoredRedriveSummary> {
    const s = record.selected;
    if (!s || !active(record) || this.local.has(record.id)) return record;
    const staleBefore = now - SELECTED_STALE_MS;
    if (s.heartbeatAtMs > staleBefore) return record;
    const held = s.holdSeconds
      ? `; the messages it was holding became visible in the DLQ again at most ${s.holdSeconds} s after it received them`
      : '';
    const reason =
      `the console task running this redrive stopped (last heard from at ${iso(s.heartbeatAtMs)}) ` +
      `after moving at least ${s.moved} of ${s.total} messages${held}`;
    await this.store.abandon(record.id, staleBefore, s.heartbeatAtMs, reason);
    return (await this.store.summary(record.id)) ?? record;
  }
}

/**
 * One listing's view of a queue's records: lookups by id and by SQS's StartedTimestamp, and what
 * the listing tells, written back to the store.
 */
export class QueueRecords {
  private readonly byId = new Map<string, StoredRedriveSummary>();
  private readonly byStart = new Map<number, StoredRedriveSummary>();

  constructor(
    private readonly store: RedriveStore,
    records: StoredRedriveSummary[],
  ) {
    for (const r of records) this.add(r);
  }

  add(r: StoredRedriveSummary): void {
    this.byId.set(r.id, r);
    if (r.startedAtMs !== null) this.byStart.set(r.startedAtMs, r);
  }
  all(): StoredRedriveSummary[] {
    return [...this.byId.values()];
  }
  get(id: string): StoredRedriveSummary | undefined {
    return this.byId.get(id);
  }
  byStartTime(startedAtMs: number): StoredRedriveSummary | undefined {
    return this.byStart.get(startedAtMs);
  }
  /** Message-move tasks we started whose StartedTimestamp is not known yet. */
  unlisted(): StoredRedriveSummary[] {
    return this.all().filter((r) => !r.selected && r.startedAtMs === null && r.requestedAtMs !== null);
  }
  selected(): RedriveTask[] {
    return this.all().flatMap((r) => (r.selected ? [selectedTaskOf(r)] : []));
  }

  /** Ties a record to the StartedTimestamp SQS reports for it (the only key left once the task ends). */
  async setStarted(record: StoredRedriveSummary, startedAtMs: number): Promise<StoredRedriveSummary> {
    const landed = await this.store.setStarted(record.id, startedAtMs);
    // Another task tied it first: its value stands (it read the same listing).
    const tied = landed ? { ...record, startedAtMs } : ((await this.store.summary(record.id)) ?? record);
    this.add(tied);
    return tied;
  }

  /**
   * The record of a task SQS lists, as known before this listing (undefined if none); records
   * what the listing tells: a handle first seen here (e.g. a task started from the AWS console)
   * is kept for later lookups, and a task we started is tied to its StartedTimestamp.
   */
  async recordListed(
    queueId: string,
    sourceArn: string,
    region: string,
    handle: string | undefined,
    started: number | null,
  ): Promise<StoredRedriveSummary | undefined> {
    const record =
      (handle ? this.get(handle) : undefined) ?? (started !== null ? this.byStartTime(started) : undefined);
    if (handle && started !== null && !record) {
      const foreign: StoredRedrive = {
        id: handle,
        queueId,
        sourceArn,
        region,
        createdAtMs: started,
        startedBy: null,
        startedAtMs: started,
        requestedAtMs: null,
        acceptedAtMs: null,
        depthBefore: null,
        selected: null,
      };
      try {
        await this.store.create(foreign);
      } catch (error) {
        // Another task recorded it first (it read the same listing): that record stands.
        if (!(await this.store.summary(handle))) throw error;
      }
      this.add(foreign);
    } else if (handle && record && record.startedAtMs === null && started !== null) {
      await this.setStarted(record, started);
    }
    return record;
  }
}
