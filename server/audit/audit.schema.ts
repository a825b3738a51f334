/**
 * The audit log's DTOs and filter, as zod. Pure; client components import its types only (the
 * actions and outcomes they list are in the zod-free audit-vocabulary.schema.ts).
 */
import { z } from 'zod';
import { isoTime } from '../platform/platform.schema';
import { auditActions, auditOutcomes } from './audit-vocabulary.schema';

export { auditActions, auditOutcomes, type AuditAction, type AuditOutcome } from './audit-vocabulary.schema';

export const auditEntrySchema = z.object({
  seq: z.number().int(),
  at: isoTime,
  requestId: z.string(),
  actorId: z.string(),
  actorName: z.string(),
  role: z.string(),
  action: z.enum(auditActions),
  outcome: z.enum(auditOutcomes),
  target: z.string().nullable(),
  reason: z.string().nullable(),
  ticket: z.string().nullable(),
  approvalId: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  inputs: z.string().nullable(), // JSON text
  result: z.string().nullable(), // JSON text
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** A page position: an SQLite seq, or a DynamoDB byTime key (at ms # writer id # chain sequence). */
export const AUDIT_CURSOR = /^(?:[1-9]\d{0,14}|\d{15}#[A-Za-z0-9._-]{1,100}#\d{1,15})$/;

export const auditFilterSchema = z
  .object({
    actor: z.string().trim().max(200).optional(),
    action: z.enum(auditActions).optional(),
    outcome: z.enum(auditOutcomes).optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
    q: z.string().trim().max(200).optional(), // target, reason or ticket contains
    // Opaque position of the last entry of the previous page: entries older than it. SQLite: its
    // seq; DynamoDB: its byTime sort key (`${at ms, 15 digits}#${writerId}#${seq}`).
    cursor: z.string().trim().regex(AUDIT_CURSOR, 'cursor must be the nextCursor of a previous page').optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((f) => !f.from || !f.to || Date.parse(f.from) <= Date.parse(f.to), {
    message: 'from must not be after to',
    path: ['from'],
  });
export type AuditFilter = z.input<typeof auditFilterSchema>;
export type AuditQuery = z.output<typeof auditFilterSchema>;

export const auditExportSchema = auditFilterSchema.and(z.object({ format: z.enum(['csv', 'json']).default('csv') }));

export const auditPageSchema = z.object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() });
export type AuditPage = z.infer<typeof auditPageSchema>;

/**
 * The chain check the audit page shows. ok = every chain verifies from its genesis; otherwise the
 * first entry that does not (its seq, and with several writers the writer whose chain broke).
 */
export interface AuditVerification {
  ok: boolean;
  brokenAt: number | null;
  writer?: string;
}
