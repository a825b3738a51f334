/**
 * The Platform port: everything the console needs from the platform. Two adapters implement
 * it: `aws` (AWS SDK v3, per-role credentials) and `local` (the embedded platform on SQLite).
 * Every call carries the caller; adapters enforce the permission matrix themselves too
 * (defence in depth: the aws adapter through the role's IAM policy).
 * Lists are always paged or bounded on the adapter side.
 */
import 'server-only';
import type { Caller } from '../auth/permissions.schema';
import type {
  CompensateInput,
  ListAlarmsInput,
  ListDeadLettersInput,
  ListPageInput,
  ListSagasInput,
  MetricQueryInput,
  PreviewReplayInput,
  StartRedriveInput,
  StartReplayInput,
} from './inputs.schema';
import type {
  Alarm,
  AlarmHistoryItem,
  Archive,
  CompensationPreview,
  DeadLetterMessage,
  LedgerSummary,
  MetricSeries,
  Page,
  QueuePair,
  RedriveTask,
  Region,
  Replay,
  ReplayPreview,
  SagaDetail,
  SagaSummary,
} from './platform.schema';
import type {
  DeadLetterExport,
  DeadLetterIndexEntry,
  FailureClassSummary,
  RemoveDeadLettersResult,
} from './triage.schema';

export type BackendKind = 'local' | 'aws';

export interface Platform {
  readonly kind: BackendKind;

  /** Cheap liveness check of the backend (health endpoint). */
  ping(): Promise<{ ok: boolean; detail: string }>;

  // ------------------------------------------------------------ read
  listRegions(caller: Caller): Promise<Region[]>;
  listAlarms(caller: Caller, input: ListAlarmsInput): Promise<Alarm[]>;
  getAlarm(caller: Caller, name: string): Promise<{ alarm: Alarm; history: AlarmHistoryItem[] } | null>;
  listQueuePairs(caller: Caller): Promise<QueuePair[]>;
  listDeadLetters(caller: Caller, input: ListDeadLettersInput): Promise<Page<DeadLetterMessage>>;
  /**
   * Dead-letter triage, from the failure index (a row per message that failed for the last time,
   * kept while it is in the DLQ): the DLQ's failure classes, most frequent first, each with its
   * count, first and last seen, verdict and a sample.
   */
  listFailureClasses(caller: Caller, queueId: string): Promise<FailureClassSummary[]>;
  /** The index entries of the DLQ's dead letters of one transaction (any of 100,000: one query). */
  searchDeadLetters(caller: Caller, queueId: string, transactionId: string): Promise<DeadLetterIndexEntry[]>;
  /**
   * The dead letters of these classes with their bodies, attributes and errors (up to
   * MAX_EXPORTED_DEAD_LETTERS; `complete` says whether that is all of them). A read: nothing moves.
   */
  exportDeadLetters(caller: Caller, queueId: string, classIds: string[]): Promise<DeadLetterExport>;
  listRedrives(caller: Caller, input: ListPageInput & { queueId?: string }): Promise<Page<RedriveTask>>;
  getRedrive(caller: Caller, id: string): Promise<RedriveTask | null>;
  listArchives(caller: Caller): Promise<Archive[]>;
  listReplays(caller: Caller, input: ListPageInput): Promise<Page<Replay>>;
  getReplay(caller: Caller, name: string): Promise<Replay | null>;
  listSagas(caller: Caller, input: ListSagasInput): Promise<Page<SagaSummary>>;
  getSaga(caller: Caller, id: string): Promise<SagaDetail | null>;
  /** Metric ids come from the platform description (infra/platform/description.ts). */
  getMetricSeries(caller: Caller, input: MetricQueryInput): Promise<MetricSeries[]>;
  getLedgerSummary(caller: Caller): Promise<LedgerSummary>;

  // ------------------------------------------------------------ write
  startRedrive(caller: Caller, input: StartRedriveInput): Promise<RedriveTask>;
  cancelRedrive(caller: Caller, id: string): Promise<RedriveTask>;
  /**
   * Deletes exactly these messages from the DLQ (quarantine, after an export) and their index
   * entries; the ids not found are reported, never an error. Permission `queue.quarantine`.
   */
  removeDeadLetters(caller: Caller, queueId: string, messageIds: string[]): Promise<RemoveDeadLettersResult>;
  previewReplay(caller: Caller, input: PreviewReplayInput): Promise<ReplayPreview>;
  startReplay(caller: Caller, input: StartReplayInput): Promise<Replay>;
  cancelReplay(caller: Caller, name: string): Promise<Replay>;
  previewCompensation(caller: Caller, input: Omit<CompensateInput, 'reason'>): Promise<CompensationPreview>;
  compensate(caller: Caller, input: CompensateInput): Promise<SagaDetail>;
}

/** Domain errors every adapter throws; the route error mapper turns them into HTTP statuses. */
export class PlatformError extends Error {
  constructor(
    readonly code: 'NotFound' | 'Conflict' | 'Invalid' | 'Forbidden' | 'Throttled' | 'Unavailable',
    message: string,
    readonly field?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}
