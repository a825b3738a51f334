/**
 * Inputs of the Platform port's calls, as zod schemas. Pure: client code (forms) may import it.
 * The console's route handlers parse requests with these before calling server/ops.
 */
import { z } from 'zod';
import { MAX_REDRIVE_RATE, MAX_SELECTED_MESSAGES } from '@/infra/platform/limits';
import {
  alarmStateSchema,
  eventPatternFilterSchema,
  isoTime,
  pageLimit,
  sagaStatusSchema,
  timeWindowSchema,
} from './platform.schema';

// ---------------------------------------------------------------- ids, one strict schema per kind
// Each id kind has exactly the platform's forms (local: the embedded platform's; aws: the
// service's), nothing looser: no sign, exponent, hex, padding or whitespace, so an id is audited
// and compared as the one string that names it.

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** A dead-letter message id: a decimal integer (local row id) or an SQS MessageId (a UUID, lower case as SQS writes it). */
export const messageIdSchema = z
  .string()
  .regex(
    new RegExp(`^(?:0|[1-9][0-9]{0,14}|${UUID})$`),
    'a message id is a decimal integer (local) or an SQS MessageId (UUID), with no other characters',
  );
/** A local (embedded platform) message id: the decimal form only. */
export const localMessageIdSchema = z
  .string()
  .regex(/^(?:0|[1-9][0-9]{0,14})$/, 'a local message id is a decimal integer, with no other characters');

/** A saga id: the transaction id (local) or its Step Functions execution name (aws). */
export const sagaIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'a saga id is 1-100 characters of A-Z a-z 0-9 . _ : -');

/**
 * A redrive task id: `redrive-<uuid>` (local); an SQS TaskHandle (base64), a selected redrive's
 * `<queue>:selected:<id>` or a listed task's `<queue>:<startedTimestamp>` (aws).
 */
export const redriveIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9+/=._:-]{1,2048}$/, 'a redrive id is a task id or handle: A-Z a-z 0-9 + / = . _ : -');

/** A replay name (EventBridge: [.-_A-Za-z0-9], at most 64). */
export const replayNameSchema = z
  .string()
  .regex(/^[.\-_A-Za-z0-9]{1,64}$/, 'a replay name is 1-64 characters of A-Z a-z 0-9 . - _');

/** An archive name (EventBridge: [.-_A-Za-z0-9], at most 48). */
export const archiveNameSchema = z
  .string()
  .regex(/^[.\-_A-Za-z0-9]{1,48}$/, 'an archive name is 1-48 characters of A-Z a-z 0-9 . - _');

/** A queue pair id (the platform description's, e.g. "processing"). */
export const queueIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,80}$/, 'a queue id is 1-80 characters of A-Z a-z 0-9 _ -');

/** An approval request id: `apr-<uuid>` (server/approvals/store.ts). */
export const approvalIdSchema = z
  .string()
  .regex(new RegExp(`^apr-${UUID}$`), 'an approval id is apr- followed by a UUID');

/** A list of ids of one kind in which each id appears once (a repeat names itself and its field). */
export function distinctIds<T extends z.ZodString>(id: T) {
  return z.array(id).superRefine((ids, ctx) => {
    const first = new Map<string, number>();
    ids.forEach((value, index) => {
      const seen = first.get(value);
      if (seen === undefined) first.set(value, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `${JSON.stringify(value)} is repeated (also at index ${seen}): select each id once`,
        });
    });
  });
}

export const listAlarmsInput = z.object({
  region: z.string().optional(),
  state: alarmStateSchema.optional(),
});
export type ListAlarmsInput = z.infer<typeof listAlarmsInput>;

export const listDeadLettersInput = z.object({
  queueId: queueIdSchema,
  search: z.string().max(200).optional(), // transaction id or error text
  cursor: z.string().optional(),
  limit: pageLimit,
});
export type ListDeadLettersInput = z.infer<typeof listDeadLettersInput>;

export const listSagasInput = z.object({
  status: sagaStatusSchema.optional(),
  // The start-time window is [from, to): a saga that started exactly at `to` is outside it.
  from: isoTime.optional(),
  to: isoTime.optional(),
  transactionId: z.string().max(100).optional(),
  sort: z.enum(['startedAt:desc', 'startedAt:asc']).default('startedAt:desc'),
  cursor: z.string().optional(),
  limit: pageLimit,
});
export type ListSagasInput = z.input<typeof listSagasInput>;

export const listPageInput = z.object({ cursor: z.string().optional(), limit: pageLimit });
export type ListPageInput = z.input<typeof listPageInput>;

export const metricQueryInput = z.object({
  /** Metric ids from the platform description (e.g. "events.in", "queue.processing.visible"). */
  metrics: z.array(z.string().min(1)).min(1).max(20),
  from: isoTime,
  to: isoTime,
  periodSeconds: z.number().int().min(60).max(86_400).default(60),
});
export type MetricQueryInput = z.input<typeof metricQueryInput>;

/** Failure classes one redrive or export may name. */
export const MAX_FAILURE_CLASSES = 50;
/** Dead letters one export returns and one removal may name (a quarantine works in batches of this). */
export const MAX_EXPORTED_DEAD_LETTERS = 10_000;

/** A failure class id (infra/runtime/failure-class.ts): 16 lower-case hex digits. */
export const classIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'a class id is 16 lower-case hex digits');

/** The failure classes of one request (redrive, export), each once. */
export const classIdsSchema = distinctIds(classIdSchema).min(1).max(MAX_FAILURE_CLASSES);

/** `messageIds` and `classIds` are exclusive (the adapters answer Invalid on `classIds` for both). */
export const startRedriveInput = z.object({
  queueId: queueIdSchema,
  rate: z.number().int().min(1).max(MAX_REDRIVE_RATE).optional(),
  messageIds: distinctIds(messageIdSchema).min(1).max(MAX_SELECTED_MESSAGES).optional(),
  /** Only the dead letters of these failure classes (failure index) move. */
  classIds: classIdsSchema.optional(),
});
export type StartRedriveInput = z.infer<typeof startRedriveInput>;

const windowOrdered = timeWindowSchema.refine((w) => Date.parse(w.start) < Date.parse(w.end), {
  message: 'window.start must be before window.end',
  path: ['start'],
});

export const previewReplayInput = z.object({
  archive: archiveNameSchema,
  window: windowOrdered,
  pattern: eventPatternFilterSchema.strict().optional(),
});
export type PreviewReplayInput = z.infer<typeof previewReplayInput>;

export const startReplayInput = previewReplayInput.extend({
  /** Replay name; generated when absent. EventBridge: [.\-_A-Za-z0-9]+, ≤ 64. */
  name: replayNameSchema.optional(),
  /**
   * Skip the events whose transaction is in the DLQ now (the failure index): they would
   * dead-letter again. Embedded only: an EventBridge replay's pattern cannot exclude by id.
   */
  excludeDeadLettered: z.boolean().optional(),
  /** Events per second (embedded only: an EventBridge replay has no rate; the aws adapter refuses it). */
  rate: z.number().int().min(1).max(10_000).optional(),
});
export type StartReplayInput = z.infer<typeof startReplayInput>;

export const compensateInput = z.object({
  sagaId: sagaIdSchema,
  mode: z.enum(['compensate', 'resume']).default('compensate'),
  reason: z.string().trim().min(3).max(500),
});
export type CompensateInput = z.infer<typeof compensateInput>;

export const listFailureClassesInput = z.object({ queueId: queueIdSchema });
export type ListFailureClassesInput = z.infer<typeof listFailureClassesInput>;

export const searchDeadLettersInput = z.object({
  queueId: queueIdSchema,
  transactionId: z.string().trim().min(1).max(100),
});
export type SearchDeadLettersInput = z.infer<typeof searchDeadLettersInput>;

export const exportDeadLettersInput = z.object({ queueId: queueIdSchema, classIds: classIdsSchema });
export type ExportDeadLettersInput = z.infer<typeof exportDeadLettersInput>;

export const removeDeadLettersInput = z.object({
  queueId: queueIdSchema,
  messageIds: distinctIds(messageIdSchema).min(1).max(MAX_EXPORTED_DEAD_LETTERS),
});
export type RemoveDeadLettersInput = z.infer<typeof removeDeadLettersInput>;
