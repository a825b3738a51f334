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
  /**
   * The ledger read right after (balanced means money was conserved); null when that read
   * failed: the compensation itself ran, `warning` says why the ledger is missing.
   */
  reconciliation: LedgerSummary | null;
  warning: string | null;
}

/** The saga and the ledger now (the reconciliation GET). */
export interface Reconciliation {
  saga: SagaDetail;
  reconciliation: LedgerSummary;
}

export type CompensationInput = { sagaId: string; mode: 'compensate' | 'resume'; reason: string };

export function previewCompensation(
  ctx: OpsContext,
  caller: Caller,
  sagaId: string,
  mode: 'compensate' | 'resume',
): Promise<CompensationPreview> {
  return ctx.platform.previewCompensation(caller, { sagaId, mode });
}

/**
 * Compensate or resume a saga: always through a second person's approval under the default
 * policy. Once the platform call returned, the action is audited as succeeded; the ledger is
 * read afterwards and a failure of that read never turns the action into a failure.
 */
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
    const saga = await executeCompensation(ctx, caller, input);
    // The side effect happened: record it before anything else can fail.
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
        result: { status: saga.status },
      },
      ctx.now(),
    );
    const result = await reconcileAfter(ctx, caller, saga, req.mode);
    return { status: 'started', result, auditSeq: entry.seq };
  });
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
): Promise<CompensationResult> {
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

export async function reconciliation(ctx: OpsContext, caller: Caller, sagaId: string): Promise<Reconciliation | null> {
  const saga = await ctx.platform.getSaga(caller, sagaId);
  if (!saga) return null;
  return { saga, reconciliation: await ctx.platform.getLedgerSummary(caller) };
}
