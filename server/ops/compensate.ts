import 'server-only';
import { compensationNeedsApproval } from '../approvals/policy';
import type { Caller } from '../auth/permissions.schema';
import { sagaIdSchema } from '../platform/inputs.schema';
import type { CompensationPreview, SagaDetail } from '../platform/platform.schema';
import { PlatformError } from '../platform/port';
import { watchCompletion } from './closed-loop';
import type { OpsContext, RequestMeta } from './context';
import { runGuardedAction } from './guarded-action';
import { pathId } from './ids';
import type {
  ActionOutcome,
  CompensationApprovalPreview,
  CompensationRequest,
  CompensationResponse,
  ReconciliationResponse,
} from './ops.schema';

export type CompensationInput = { sagaId: string; mode: 'compensate' | 'resume'; reason: string };

export async function previewCompensation(
  ctx: OpsContext,
  caller: Caller,
  sagaId: string,
  mode: 'compensate' | 'resume',
): Promise<CompensationPreview> {
  return ctx.platform.previewCompensation(caller, { sagaId: pathId(sagaIdSchema, 'sagaId', sagaId), mode });
}

/**
 * Compensate or resume a saga: always through a second person's approval under the default
 * policy. Once the platform call returned, the action is audited as started (accepted) and its
 * final state when the saga leaves COMPENSATING (closed-loop watchCompletion); the ledger is
 * read afterwards and a failure of that read never turns the action into a failure.
 */
export async function requestCompensation(
  ctx: OpsContext,
  caller: Caller,
  rawSagaId: string,
  req: CompensationRequest,
  meta: RequestMeta,
): Promise<ActionOutcome<CompensationResponse>> {
  const sagaId = pathId(sagaIdSchema, 'sagaId', rawSagaId);
  const input: CompensationInput = { sagaId, mode: req.mode, reason: req.reason };
  return runGuardedAction(ctx, caller, meta, {
    action: req.mode === 'resume' ? 'saga.resume' : 'saga.compensate',
    idempotency: { action: 'saga.compensate', input: { sagaId, ...req } },
    reason: req.reason,
    ticket: req.ticket,
    // One compensation or resume in flight per saga: either changes the saga the other was asked for.
    claim: { scope: `saga:${sagaId}`, field: 'sagaId', detail: `a ${req.mode} of saga ${sagaId}` },
    check: async () => {
      const [preview, saga] = await Promise.all([
        ctx.platform.previewCompensation(caller, { sagaId, mode: req.mode }),
        ctx.platform.getSaga(caller, sagaId),
      ]);
      assertReversalConfirmed(saga, req);
      return {
        inputs: input,
        target: `saga:${sagaId}`,
        approval: compensationNeedsApproval(ctx.policy) ? { preview: () => approvalPreview(preview, saga) } : null,
      };
    },
    act: () => executeCompensation(ctx, caller, input),
    // Accepted, not done: the saga is COMPENSATING; its final state is audited at completion.
    outcome: 'started',
    summary: (saga) => ({ status: saga.status }),
    after: (saga) => {
      watchCompletion(ctx, 'compensation', saga.id, caller);
      return reconcileAfter(ctx, caller, saga, req.mode);
    },
  });
}

/**
 * Compensating a SUCCEEDED saga refunds a payment that went through: only when the operator
 * confirmed exactly that (`reverseCompleted: true`), whatever the form did. 422 naming the field.
 */
function assertReversalConfirmed(saga: SagaDetail | null, req: CompensationRequest): void {
  if (req.mode !== 'compensate' || saga?.status !== 'SUCCEEDED' || req.reverseCompleted === true) return;
  throw new PlatformError(
    'Invalid',
    `reverseCompleted: saga ${saga.id} SUCCEEDED, so compensating it reverses a completed payment; confirm with reverseCompleted: true`,
    'reverseCompleted',
  );
}

/** What the approver sees: the ledger effect and the saga it acts on. */
function approvalPreview(preview: CompensationPreview, saga: SagaDetail | null): CompensationApprovalPreview {
  if (!saga) return preview;
  const { id, transactionId, status, amount, currency } = saga;
  return { ...preview, saga: { id, transactionId, status, amount, currency } };
}

/** The side effect only: the platform's compensate (or resume). */
export function executeCompensation(ctx: OpsContext, caller: Caller, input: CompensationInput): Promise<SagaDetail> {
  return ctx.platform.compensate(caller, input);
}

/**
 * The ledger after a compensation that already ran. Never throws: a failed read (in AWS a full
 * DynamoDB Scan, which can be throttled) gives `reconciliation: null` and a warning naming why.
 */
export async function reconcileAfter(
  ctx: OpsContext,
  caller: Caller,
  saga: SagaDetail,
  mode: CompensationInput['mode'],
): Promise<CompensationResponse> {
  try {
    return { saga, reconciliation: await ctx.platform.getLedgerSummary(caller), warning: null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(
      JSON.stringify({ level: 'error', event: 'reconciliation_read_failed', saga: saga.id, mode, error: message }),
    );
    return {
      saga,
      reconciliation: null,
      warning: `The ${mode} ran (saga ${saga.id} is ${saga.status}), but the ledger summary could not be read afterwards (${message}). Check the reconciliation again before acting further.`,
    };
  }
}

export async function reconciliation(
  ctx: OpsContext,
  caller: Caller,
  sagaId: string,
): Promise<ReconciliationResponse | null> {
  const saga = await ctx.platform.getSaga(caller, pathId(sagaIdSchema, 'sagaId', sagaId));
  if (!saga) return null;
  return { saga, reconciliation: await ctx.platform.getLedgerSummary(caller) };
}
