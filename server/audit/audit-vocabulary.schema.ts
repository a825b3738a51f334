/**
 * The audit log's actions and outcomes, without zod: the audit page's filter (a client component)
 * imports this file, and audit.schema.ts would bring zod into its first-load JS.
 */
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
