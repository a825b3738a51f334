/**
 * The audit log's DTOs and filter, as zod. Pure: the audit page's client components import it.
 */
import { z } from 'zod';
import { isoTime } from '../platform/platform.schema';

export const auditActions = [
  'auth.sign_in',
  'auth.sign_out',
  'redrive.start',
  'redrive.cancel',
  'redrive.pause',
  'queue.quarantine', // export the permanent dead letters, then remove them (server/ops/quarantine.ts)
  'replay.preview',
  'replay.start',
  'replay.cancel',
  'saga.compensate',
  'saga.resume',
  'approval.approve',
  'approval.reject',
  // the local fault API (server/ops/admin.ts)
  'admin.traffic',
  'admin.fault',
  'admin.events',
  'admin.purge',
  // written when a task or compensation has finished, with what really happened (server/ops/closed-loop.ts)
  'redrive.completed',
  'replay.completed',
  'saga.compensate.completed',
] as const;
export type AuditAction = (typeof auditActions)[number];

export const auditOutcomes = [
  'requested', // a guarded action waits for a second person
  'approved',
  'rejected',
  'started',
  'cancelled',
  'paused',
  'succeeded',
  'failed',
  'signed_in',
  'signed_out',
  // auth.sign_in refused: 'failed' = wrong email or password, 'throttled' = refused before the
  // password was checked (the first refusal of each wait); actorId/actorName = the email tried,
  // role 'none', target = the client's address.
  'throttled',
] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

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
