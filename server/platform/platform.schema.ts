/**
 * DTOs of the Platform port, as zod schemas. Pure, but client components import types only from
 * here: zod's value imports cost a phone ~35 kB and a long task. What they need at run time is in
 * the zod-free freshness.schema.ts and task-outcome.schema.ts.
 * Adapters (aws, local) return exactly these shapes, never SDK shapes.
 * Times are ISO-8601 strings (UTC); amounts are integer minor units.
 */
import { z } from 'zod';
import { sagaStatuses } from '@/infra/saga/definition';
import type { TaskOutcome } from './task-outcome.schema';

export const isoTime = z.iso.datetime({ offset: true });

/** The mark a read result served from a read cache carries (see freshness.schema.ts). */
export const freshnessSchema = z.object({ stale: z.literal(true), asOf: isoTime });
export type { Freshness } from './freshness.schema';
export { staleAsOf } from './freshness.schema';

export const regionSchema = z.object({
  id: z.string(), // e.g. us-east-1
  primary: z.boolean(),
  healthy: z.boolean(),
});
export type Region = z.infer<typeof regionSchema>;

// ---------------------------------------------------------------- alarms
export const alarmStateSchema = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
export type AlarmState = z.infer<typeof alarmStateSchema>;

export const metricRefSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  dimensions: z.record(z.string(), z.string()),
  stat: z.string(), // Sum, Maximum, Average, p99...
  periodSeconds: z.number().int().positive(),
});
export type MetricRef = z.infer<typeof metricRefSchema>;

/** What an alarm is about, so the console can link to it (incident view). */
export const alarmResourceSchema = z.object({
  kind: z.enum(['queue', 'function', 'saga', 'bus', 'endpoint', 'platform']),
  id: z.string(), // queue pair id, function name, state machine name...
});

export const alarmSchema = z.object({
  name: z.string(),
  region: z.string(),
  description: z.string(),
  state: alarmStateSchema,
  reason: z.string(),
  since: isoTime, // time of the last state change
  threshold: z.number(),
  comparison: z.enum([
    'GreaterThanThreshold',
    'GreaterThanOrEqualToThreshold',
    'LessThanThreshold',
    'LessThanOrEqualToThreshold',
  ]),
  evaluationPeriods: z.number().int().positive(),
  datapointsToAlarm: z.number().int().positive(),
  treatMissingData: z.enum(['missing', 'notBreaching', 'breaching', 'ignore']),
  metric: metricRefSchema,
  resource: alarmResourceSchema,
  /**
   * Start of the first breaching period of the current ALARM episode (of the last one once it
   * ended); null when never in ALARM or the backend cannot tell. While in ALARM: "in ALARM since".
   */
  episodeStart: isoTime.nullable().optional(),
  /** State changes in the last 60 minutes; null when the backend did not read the history. */
  flapCount: z.number().int().nonnegative().nullable().optional(),
});
export type Alarm = z.infer<typeof alarmSchema>;

export const alarmHistoryItemSchema = z.object({
  timestamp: isoTime,
  from: alarmStateSchema,
  to: alarmStateSchema,
  reason: z.string(),
});
export type AlarmHistoryItem = z.infer<typeof alarmHistoryItemSchema>;

// ---------------------------------------------------------------- queues
export const queueStatsSchema = z.object({
  name: z.string(),
  visible: z.number().int().nonnegative(),
  inFlight: z.number().int().nonnegative(),
  oldestAgeSeconds: z.number().nonnegative(), // 0 when empty
});
export type QueueStats = z.infer<typeof queueStatsSchema>;

/** A source queue with its dead-letter queue. `id` is stable (e.g. "processing"). */
export const queuePairSchema = z.object({
  id: z.string(),
  region: z.string(),
  source: queueStatsSchema,
  dlq: queueStatsSchema,
  maxReceiveCount: z.number().int().positive(),
});
export type QueuePair = z.infer<typeof queuePairSchema>;

export const deadLetterMessageSchema = z.object({
  id: z.string(),
  queueId: z.string(), // queue pair id
  body: z.string(),
  attributes: z.record(z.string(), z.string()),
  receiveCount: z.number().int().nonnegative(),
  sourceQueue: z.string(),
  lastError: z.string().nullable(),
  sentAt: isoTime, // first sent to the source queue
  deadLetteredAt: isoTime,
  transactionId: z.string().nullable(),
});
export type DeadLetterMessage = z.infer<typeof deadLetterMessageSchema>;

export const taskStatusSchema = z.enum(['RUNNING', 'COMPLETED', 'CANCELLING', 'CANCELLED', 'FAILED']);
export type TaskStatus = z.infer<typeof taskStatusSchema>;

export const redriveTaskSchema = z.object({
  id: z.string(), // TaskHandle in AWS
  queueId: z.string(),
  region: z.string(),
  status: taskStatusSchema,
  moved: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  rate: z.number().positive().nullable(), // msg/s, null = unthrottled
  selection: z.enum(['all', 'selected', 'classes']),
  /** The failure classes a `classes` redrive moves (absent for the other selections). */
  classIds: z.array(z.string()).optional(),
  startedAt: isoTime,
  endedAt: isoTime.nullable(),
  startedBy: z.string().nullable(),
  failureReason: z.string().nullable(),
  /** What became of the moved messages (null when the adapter cannot tell: see taskOutcomeSchema). */
  outcome: z
    .lazy(() => taskOutcomeSchema)
    .nullable()
    .optional(),
});
export type RedriveTask = z.infer<typeof redriveTaskSchema>;

// ---------------------------------------------------------------- archive and replay
export const eventPatternFilterSchema = z.object({
  source: z.array(z.string().min(1).max(256)).max(10).optional(),
  detailType: z.array(z.string().min(1).max(256)).max(10).optional(),
});
export type EventPatternFilter = z.infer<typeof eventPatternFilterSchema>;

export const timeWindowSchema = z.object({ start: isoTime, end: isoTime });
export type TimeWindow = z.infer<typeof timeWindowSchema>;

export const archiveSchema = z.object({
  name: z.string(),
  region: z.string(),
  sourceBus: z.string(),
  eventCount: z.number().int().nonnegative(),
  sizeBytes: z.number().int().nonnegative(),
  retentionDays: z.number().int().positive(),
  ingestionLagSeconds: z.number().nonnegative(), // replay windows must end before now - lag
  oldestEventAt: isoTime.nullable(),
});
export type Archive = z.infer<typeof archiveSchema>;

export const replayStateSchema = z.enum(['STARTING', 'RUNNING', 'CANCELLING', 'COMPLETED', 'CANCELLED', 'FAILED']);
export type ReplayState = z.infer<typeof replayStateSchema>;

export const replaySchema = z.object({
  name: z.string(),
  archive: z.string(),
  region: z.string(),
  state: replayStateSchema,
  window: timeWindowSchema,
  pattern: eventPatternFilterSchema.nullable(),
  lastReplayedTime: isoTime.nullable(), // progress cursor (EventLastReplayedTime)
  eventsReplayed: z.number().int().nonnegative(),
  eventsTotal: z.number().int().nonnegative().nullable(),
  startedAt: isoTime,
  endedAt: isoTime.nullable(),
  startedBy: z.string().nullable(),
  stateReason: z.string().nullable(),
  /** What became of the replayed events (null when the adapter cannot tell). */
  outcome: z
    .lazy(() => taskOutcomeSchema)
    .nullable()
    .optional(),
});
export type Replay = z.infer<typeof replaySchema>;

export const archivedEventSchema = z.object({
  id: z.string(),
  time: isoTime,
  source: z.string(),
  detailType: z.string(),
  transactionId: z.string().nullable(),
  detail: z.string(), // JSON text
});
export type ArchivedEvent = z.infer<typeof archivedEventSchema>;

export const replayPreviewSchema = z.object({
  count: z.number().int().nonnegative(),
  sample: z.array(archivedEventSchema).max(50),
  /** Of the sampled events, how many the processor has already applied (idempotency records). */
  sampleAlreadyApplied: z.number().int().nonnegative(),
  /** Idempotency records expire; a window older than this cannot be replayed safely. */
  idempotencyHorizon: isoTime,
  /** The whole window classified from the platform's indexes (absent: only the sample is known). */
  classification: z.lazy(() => replayClassificationSchema).optional(),
  /** What this platform's replay can do beyond the window and pattern (absent: neither). */
  supports: z.object({ excludeDeadLettered: z.boolean(), rate: z.boolean(), note: z.string().nullable() }).optional(),
});
export type ReplayPreview = z.infer<typeof replayPreviewSchema>;

// ---------------------------------------------------------------- sagas
export const sagaStatusSchema = z.enum(sagaStatuses);

export const sagaSummarySchema = z.object({
  id: z.string(),
  transactionId: z.string(),
  region: z.string(),
  status: sagaStatusSchema,
  startedAt: isoTime,
  endedAt: isoTime.nullable(),
  failedStep: z.string().nullable(),
  error: z.string().nullable(),
  amount: z.number().int(),
  currency: z.string(),
});
export type SagaSummary = z.infer<typeof sagaSummarySchema>;

export const stepStateSchema = z.enum(['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED']);
/** One attempt of a step or compensation: automatic retries and operator compensate/resume runs alike. */
export const sagaAttemptSchema = z.object({
  n: z.number().int().positive(), // 1-based, across every run of the saga
  startedAt: isoTime.nullable(),
  endedAt: isoTime.nullable(),
  outcome: z.enum(['running', 'succeeded', 'failed']),
  error: z.string().nullable(),
});
export type SagaAttempt = z.infer<typeof sagaAttemptSchema>;

export const sagaStepRecordSchema = z.object({
  name: z.string(),
  kind: z.enum(['step', 'compensation']),
  state: stepStateSchema,
  attempts: z.number().int().nonnegative(),
  startedAt: isoTime.nullable(),
  endedAt: isoTime.nullable(),
  input: z.string().nullable(), // JSON text
  output: z.string().nullable(),
  error: z.string().nullable(),
  /** Every attempt, oldest first (absent where the platform did not record them: older sagas). */
  attemptsDetail: z.array(sagaAttemptSchema).optional(),
});
export type SagaStepRecord = z.infer<typeof sagaStepRecordSchema>;

export const sagaDetailSchema = sagaSummarySchema.extend({
  steps: z.array(sagaStepRecordSchema), // in execution order: steps, then compensations
});
export type SagaDetail = z.infer<typeof sagaDetailSchema>;

// ---------------------------------------------------------------- metrics and ledger
export const metricPointSchema = z.object({ t: isoTime, v: z.number() });
export const metricSeriesSchema = z.object({
  id: z.string(),
  label: z.string(),
  unit: z.string(),
  points: z.array(metricPointSchema),
});
export type MetricSeries = z.infer<typeof metricSeriesSchema>;

export const ledgerSummarySchema = z.object({
  accounts: z.number().int().nonnegative(),
  totalBalance: z.number().int(),
  expectedTotal: z.number().int(),
  balanced: z.boolean(),
  openHolds: z.number().int().nonnegative(),
  heldAmount: z.number().int().nonnegative(),
});
export type LedgerSummary = z.infer<typeof ledgerSummarySchema>;

export const compensationPreviewSchema = z.object({
  sagaId: z.string(),
  mode: z.enum(['compensate', 'resume']),
  actions: z.array(
    z.object({
      compensation: z.string(), // ReleaseFunds, ReverseLedger...
      description: z.string(),
      account: z.string().nullable(),
      amount: z.number().int(),
    }),
  ),
});
export type CompensationPreview = z.infer<typeof compensationPreviewSchema>;

// ---------------------------------------------------------------- paging
/**
 * How much of its source a page looked at, for a source that can only be scanned, not queried (an
 * SQS dead-letter search): `searched` distinct messages so far, counting earlier pages of the
 * same cursor chain, of about `approximateTotal` (null if unknown). Absent when the page is exact.
 */
export const scanProgressSchema = z.object({
  searched: z.number().int().nonnegative(),
  approximateTotal: z.number().int().nonnegative().nullable(),
  /**
   * True when the scan stopped because it cannot get further, not because it saw everything: an
   * SQS queue hands out its oldest messages first and a cursor remembers a bounded number of them,
   * so past that the console only meets messages it already examined.
   */
  limitReached: z.boolean().optional(),
});
export type ScanProgress = z.infer<typeof scanProgressSchema>;

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable(), scanned: scanProgressSchema.optional() });
export type Page<T> = { items: T[]; nextCursor: string | null; scanned?: ScanProgress };

export const pageLimit = z.coerce.number().int().min(1).max(200).default(50);

// ---------------------------------------------------------------- task outcomes and replay classification
/** What a redrive's moved messages (or a replay's events) became: see task-outcome.schema.ts. */
export const taskOutcomeSchema = z.object({
  sent: z.number().int().nonnegative(),
  processed: z.number().int().nonnegative(),
  applied: z.number().int().nonnegative(),
  backInDlq: z.number().int().nonnegative(),
  settled: z.boolean(),
  uncounted: z.enum(['backOnly', 'nothing']).optional(),
  basis: z.string(),
});
// The zod-free type the client imports and the schema's type are the same (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const taskOutcomeTypesAgree: Same<z.infer<typeof taskOutcomeSchema>, TaskOutcome> = true;
void taskOutcomeTypesAgree;
export type { TaskOutcome } from './task-outcome.schema';
export { outcomeText } from './task-outcome.schema';

/** A replay window's events by what the processor will do with them (counts over the whole window). */
export const replayClassificationSchema = z.object({
  /** Events classified (equals the preview's count unless `sampled` says otherwise). */
  classified: z.number().int().nonnegative(),
  alreadyApplied: z.number().int().nonnegative(),
  willApply: z.number().int().nonnegative(),
  /** Events whose transaction is dead-lettered with a permanent failure class (they fail again). */
  willDeadLetterAgain: z.number().int().nonnegative(),
  /** Of willApply: events with no saga yet (a replay starts one). */
  willStartSagas: z.number().int().nonnegative(),
  /** Events without a transaction id (the processor rejects them). */
  withoutTransaction: z.number().int().nonnegative(),
  /** Null when the whole window was classified; else what was sampled and why. */
  sampled: z.string().nullable(),
});
export type ReplayClassification = z.infer<typeof replayClassificationSchema>;
