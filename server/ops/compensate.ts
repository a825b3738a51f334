import 'server-only';
import { compensationNeedsApproval } from '../approvals/policy';
import type { Caller } from '../auth/permissions.schema';
import type { CompensationPreview, LedgerSummary, SagaDetail } from '../platform/platform.schema';
import { requestApproval } from './approval-request';
import type { OpsContext, RequestMeta } from './context';
import { withIdempotency } from './idempotency';
import type { ActionOutcome, CompensationRequest } from './ops.schema';

export interface CompensationResult {
  saga: SagaDetail;
  /** The ledger right after: balanced means money was conserved. */
  reconciliation: LedgerSummary;
}

export function previewCompensation(
  ctx: OpsContext,
  caller: Caller,
  sagaId: string,
  mode: 'compensate' | 'resume',
): Promise<CompensationPreview> {
  return ctx.platform.previewCompensation(caller, { sagaId, mode });
}

/** Compensate or resume a saga: always through a second person's approval under the default policy. */
export function requestCompensation(
  ctx: OpsContext,
  caller: Caller,
  sagaId: string,
  req: CompensationRequest,
  meta: RequestMeta,
): Promise<ActionOutcome<CompensationResult>> {
  return withIdempotency(ctx, caller, meta, 'saga.compensate', { sagaId, ...req }, async () => {
    const preview = await ctx.platform.previewCompensation(caller, { sagaId, mode: req.mode });
    const action = req.mode === 'resume' ? 'saga.resume' : 'saga.compensate';
    const input = { sagaId, mode: req.mode, reason: req.reason };
    if (compensationNeedsApproval(ctx.policy)) {
      return requestApproval(ctx, caller, meta, {
        action,
        target: `saga:${sagaId}`,
        input,
        preview,
        reason: req.reason,
        ticket: req.ticket,
      });
    }
    const result = await executeCompensation(ctx, caller, input);
    const entry = ctx.audit.append(
      {
        requestId: meta.requestId,
        actor: caller,
        action,
        outcome: 'succeeded',
        target: `saga:${sagaId}`,
        reason: req.reason,
        ticket: req.ticket,
        idempotencyKey: meta.idempotencyKey,
        inputs: input,
        result: { status: result.saga.status, balanced: result.reconciliation.balanced },
      },
      ctx.now(),
    );
    return { status: 'started', result, auditSeq: entry.seq };
  });
}

export async function executeCompensation(
  ctx: OpsContext,
  caller: Caller,
  input: { sagaId: string; mode: 'compensate' | 'resume'; reason: string },
): Promise<CompensationResult> {
  const saga = await ctx.platform.compensate(caller, input);
  const reconciliation = await ctx.platform.getLedgerSummary(caller);
  return { saga, reconciliation };
}

export async function reconciliation(
  ctx: OpsContext,
  caller: Caller,
  sagaId: string,
): Promise<CompensationResult | null> {
  const saga = await ctx.platform.getSaga(caller, sagaId);
  if (!saga) return null;
  return { saga, reconciliation: await ctx.platform.getLedgerSummary(caller) };
}
