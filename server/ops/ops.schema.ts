/**
 * Request bodies of the console's write verbs (pure zod: the action forms import them).
 * Each extends the port's input with the operator's reason and a ticket reference; guarded
 * actions (server/approvals/policy.ts) require the ticket.
 */
import { z } from 'zod';
import { compensateInput, previewReplayInput, startRedriveInput, startReplayInput } from '../platform/inputs.schema';

export const reasonSchema = z
  .string({ error: 'reason: say why (3-500 characters)' })
  .trim()
  .min(3, 'reason: say why (at least 3 characters)')
  .max(500, 'reason: at most 500 characters');

export const ticketSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9]{1,15}-\d{1,10}$/, 'ticket: a ticket reference like INC-1234');

export const redriveRequest = startRedriveInput
  .extend({ reason: reasonSchema, ticket: ticketSchema.optional() })
  .strict();
export type RedriveRequest = z.infer<typeof redriveRequest>;

export const replayPreviewRequest = previewReplayInput.strict();
export const replayRequest = startReplayInput
  .extend({ reason: reasonSchema, ticket: ticketSchema.optional() })
  .strict();
export type ReplayRequest = z.infer<typeof replayRequest>;

export const compensationPreviewRequest = compensateInput.pick({ mode: true }).strict();
export const compensationRequest = compensateInput
  .omit({ sagaId: true })
  .extend({ reason: reasonSchema, ticket: ticketSchema })
  .strict();
export type CompensationRequest = z.infer<typeof compensationRequest>;

export const cancelRequest = z.object({ reason: reasonSchema }).strict();

export const approvalDecisionRequest = z
  .object({ decision: z.enum(['approve', 'reject']), comment: z.string().trim().max(500).optional() })
  .strict()
  .refine((d) => d.decision === 'approve' || (d.comment?.length ?? 0) >= 3, {
    message: 'comment: say why you reject (at least 3 characters)',
    path: ['comment'],
  });
export type ApprovalDecisionRequest = z.infer<typeof approvalDecisionRequest>;

/** Replay window presets: the window ends `lag` before now (archive ingestion lag). */
export const replayPresets = { '1h': 1, '6h': 6, '24h': 24 } as const;
export type ReplayPreset = keyof typeof replayPresets;

export function presetWindow(preset: ReplayPreset, now: number, lagSeconds: number): { start: string; end: string } {
  const end = now - lagSeconds * 1000;
  return { start: new Date(end - replayPresets[preset] * 3_600_000).toISOString(), end: new Date(end).toISOString() };
}

/** What a write verb answers: started now, or waiting for a second person's approval. */
export type ActionOutcome<T> =
  | { status: 'started'; result: T; auditSeq: number }
  | { status: 'pending_approval'; approvalId: string; expiresAt: string; auditSeq: number };
