/**
 * Request bodies of the console's write verbs (pure zod: the action forms import them).
 * Each extends the port's input with the operator's reason and a ticket reference; guarded
 * actions (server/approvals/policy.ts) require the ticket.
 */
import { z } from 'zod';
import type { SagaStatus } from '@/infra/saga/definition';
import {
  classIdsSchema,
  compensateInput,
  previewReplayInput,
  queueIdSchema,
  startRedriveInput,
  startReplayInput,
} from '../platform/inputs.schema';
import type {
  CompensationPreview,
  LedgerSummary,
  RedriveTask,
  ReplayPreview,
  SagaDetail,
} from '../platform/platform.schema';

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
  .extend({
    reason: reasonSchema,
    ticket: ticketSchema.optional(),
    /**
     * The operator chose to redrive permanent failure classes (they fail again): required (true)
     * when `classIds` names a permanent class (server/ops/redrive.ts).
     */
    includePermanent: z.boolean({ error: 'includePermanent: true or false' }).optional(),
  })
  .strict();
export type RedriveRequest = z.infer<typeof redriveRequest>;

/** Quarantine: export the dead letters of these permanent classes, then remove them (server/ops/quarantine.ts). */
export const quarantineRequest = z
  .object({ queueId: queueIdSchema, classIds: classIdsSchema, reason: reasonSchema, ticket: ticketSchema.optional() })
  .strict();
export type QuarantineRequest = z.infer<typeof quarantineRequest>;

export const replayPreviewRequest = previewReplayInput.strict();
export type ReplayPreviewRequest = z.infer<typeof replayPreviewRequest>;
export const replayRequest = startReplayInput
  .extend({ reason: reasonSchema, ticket: ticketSchema.optional() })
  .strict();
export type ReplayRequest = z.infer<typeof replayRequest>;

export const compensationPreviewRequest = compensateInput.pick({ mode: true }).strict();
export const compensationRequest = compensateInput
  .omit({ sagaId: true })
  .extend({
    reason: reasonSchema,
    ticket: ticketSchema,
    /**
     * The operator confirmed "reverse a completed payment": required (true) to compensate a
     * SUCCEEDED saga, which refunds a payment that went through (server/ops/compensate.ts).
     */
    reverseCompleted: z.boolean({ error: 'reverseCompleted: true or false' }).optional(),
  })
  .strict();
export type CompensationRequest = z.infer<typeof compensationRequest>;
export type CompensationMode = CompensationRequest['mode'];

export const cancelRequest = z.object({ reason: reasonSchema }).strict();
export type CancelRequest = z.infer<typeof cancelRequest>;

export const approvalDecisionRequest = z
  .object({ decision: z.enum(['approve', 'reject']), comment: z.string().trim().max(500).optional() })
  .strict()
  .refine((d) => d.decision === 'approve' || (d.comment?.length ?? 0) >= 3, {
    message: 'comment: say why you reject (at least 3 characters)',
    path: ['comment'],
  });
export type ApprovalDecisionRequest = z.infer<typeof approvalDecisionRequest>;

/** What a write verb answers: started now, or waiting for a second person's approval. */
export type ActionOutcome<T> =
  | { status: 'started'; result: T; auditSeq: number }
  | { status: 'pending_approval'; approvalId: string; expiresAt: string; auditSeq: number };

/*
 * Response bodies of the verbs, as the client reads them (the write routes and their polling
 * GETs answer these shapes).
 */

/** Why the closed loop paused (cancelled) a redrive: its reason, the dead letters left, when. */
export type RedrivePause = { reason: string; remaining: number; at: string };

/** GET /api/ops/redrives/[id]: the task, and the closed loop's pause when it paused (cancelled) the redrive. */
export type RedriveStatusResponse = { task: RedriveTask; pause: RedrivePause | null };

/** What a replay window may be. */
export type ReplayBounds = {
  /** The oldest start the archive still holds (retention). */
  earliest: string;
  /** The latest end that is safe: now minus the archive's ingestion lag. */
  latest: string;
  /** Idempotency records expire: a start before this could apply transactions twice. */
  idempotencyHorizon: string;
  ingestionLagSeconds: number;
};

/** POST /api/ops/replays/preview: count and sample, the window's bounds, the idempotency gate. */
export type ReplayPreviewResponse = {
  preview: ReplayPreview;
  bounds: ReplayBounds;
  /** Why the window cannot be replayed (idempotency gate), or null. */
  refusal: string | null;
  needsApproval: boolean;
};

/** A compensation started without an approval: the ledger read after it may fail (`warning` says why). */
export type CompensationResponse = {
  saga: SagaDetail;
  /** The ledger read right after (balanced = money conserved); null when that read failed. */
  reconciliation: LedgerSummary | null;
  warning: string | null;
};

/**
 * What the approver of a compensation sees (the approval's stored preview): the ledger effect the
 * requester previewed, and the saga it acts on (status, amount and currency as they were then).
 * Requests filed before the saga was added carry only the effect.
 */
export type CompensationApprovalPreview = CompensationPreview & {
  saga?: { id: string; transactionId: string; status: SagaStatus; amount: number; currency: string };
};

/** One manual intervention on a saga (GET /api/sagas/[id]/interventions), from the audit log. */
export type SagaIntervention = {
  action: 'saga.compensate' | 'saga.resume';
  /** The approval request, when it went through maker-checker; null for a direct action. */
  approvalId: string | null;
  requestedBy: { id: string; name: string };
  requestedAt: string;
  reason: string | null;
  ticket: string | null;
  /** The second person's decision; null while it waits, or when no approval was needed. */
  decidedBy: { id: string; name: string; decision: 'approved' | 'rejected'; at: string } | null;
  /** Where it stands now: waiting, rejected, or what the platform call did. */
  outcome: 'requested' | 'approved' | 'rejected' | 'started' | 'succeeded' | 'failed';
};

/** GET /api/ops/sagas/[id]/compensation: the saga and the ledger now. */
export type ReconciliationResponse = { saga: SagaDetail; reconciliation: LedgerSummary };
