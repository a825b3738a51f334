/**
 * Dead-letter triage on the Platform port: failure classes, the failure index's entries, exports
 * and removals (quarantine). Pure zod schemas; client code may import them.
 */
import { z } from 'zod';
import { deadLetterMessageSchema, isoTime } from './platform.schema';

/** retryable: another attempt can succeed (redrive it); permanent: it fails again (quarantine it). */
export const failureVerdictSchema = z.enum(['retryable', 'permanent']);
export type FailureVerdict = z.infer<typeof failureVerdictSchema>;

/** Messages of a DLQ that failed the same way (infra/runtime/failure-class.ts), from the failure index. */
export const failureClassSummarySchema = z.object({
  classId: z.string(),
  queueId: z.string(),
  errorType: z.string(),
  /** Processor phase (parse, claim, start-saga, process, receive) or saga step. */
  step: z.string(),
  /** The error message with ids, amounts, numbers, times and emails replaced by placeholders. */
  normalisedMessage: z.string(),
  verdict: failureVerdictSchema,
  count: z.number().int().nonnegative(),
  firstSeen: isoTime,
  lastSeen: isoTime,
  sample: z.object({
    messageId: z.string(),
    transactionId: z.string().nullable(),
    error: z.string(),
    /** The first 300 characters of the body (null when the adapter cannot read it without a receive). */
    bodyExcerpt: z.string().nullable(),
  }),
});
export type FailureClassSummary = z.infer<typeof failureClassSummarySchema>;

/** One dead letter as the failure index recorded it when it failed for the last time. */
export const deadLetterIndexEntrySchema = z.object({
  messageId: z.string(),
  queueId: z.string(),
  transactionId: z.string().nullable(),
  classId: z.string(),
  errorType: z.string(),
  step: z.string(),
  verdict: failureVerdictSchema,
  error: z.string(),
  deadLetteredAt: isoTime,
});
export type DeadLetterIndexEntry = z.infer<typeof deadLetterIndexEntrySchema>;

/** A dead letter with its body, attributes and failure, for an export (JSON / CSV). */
export const exportedDeadLetterSchema = deadLetterMessageSchema.extend({
  classId: z.string(),
  errorType: z.string(),
  step: z.string(),
  verdict: failureVerdictSchema,
  error: z.string(),
});
export type ExportedDeadLetter = z.infer<typeof exportedDeadLetterSchema>;

export const deadLetterExportSchema = z.object({
  queueId: z.string(),
  classIds: z.array(z.string()),
  exportedAt: isoTime,
  items: z.array(exportedDeadLetterSchema),
  /** How many dead letters of those classes the index holds. */
  indexed: z.number().int().nonnegative(),
  /** True when `items` holds every indexed message of the classes (nothing missing or over the cap). */
  complete: z.boolean(),
  /** Indexed message ids whose message could not be read (aws: not received during the scan). */
  missing: z.array(z.string()),
});
export type DeadLetterExport = z.infer<typeof deadLetterExportSchema>;

export const removeDeadLettersResultSchema = z.object({
  queueId: z.string(),
  /** The ids deleted from the DLQ. */
  removed: z.array(z.string()),
  /** The ids that were not found in the DLQ (already gone, or not received during the scan on aws). */
  notFound: z.array(z.string()),
});
export type RemoveDeadLettersResult = z.infer<typeof removeDeadLettersResultSchema>;
