import 'server-only';
import type { Approval } from '../approvals/approval.schema';
import { can, roleSchema, type Caller, type Permission } from '../auth/permissions.schema';
import type { StartRedriveInput, StartReplayInput } from '../platform/inputs.schema';
import { PlatformError } from '../platform/port';
import { watchRedrive } from './closed-loop';
import { executeCompensation } from './compensate';
import type { OpsContext, RequestMeta } from './context';
import { withIdempotency } from './idempotency';
import type { ApprovalDecisionRequest } from './ops.schema';

const permissionOf: Record<Approval['action'], Permission> = {
  'redrive.start': 'queue.redrive',
  'replay.start': 'archive.replay',
  'saga.compensate': 'saga.compensate',
  'saga.resume': 'saga.compensate',
};

export function listApprovals(ctx: OpsContext, filter: { status?: Approval['status']; limit: number }): Approval[] {
  return ctx.approvals.list(filter, ctx.now());
}

export function getApproval(ctx: OpsContext, id: string): Approval {
  const a = ctx.approvals.get(id, ctx.now());
  if (!a) throw new PlatformError('NotFound', `approvalId: no approval request ${id}`, 'approvalId');
  return a;
}

/** Runs the approved action with the requester's permissions (the approver vouches, the maker acts). */
async function execute(ctx: OpsContext, a: Approval): Promise<unknown> {
  const requester: Caller = { id: a.requestedBy, name: a.requestedByName, role: roleSchema.parse(a.requestedRole) };
  if (!can(requester.role, permissionOf[a.action])) {
    throw new PlatformError(
      'Forbidden',
      `approvalId: the requester's role (${requester.role}) no longer allows ${permissionOf[a.action]}`,
      'approvalId',
    );
  }
  switch (a.action) {
    case 'redrive.start': {
      const task = await ctx.platform.startRedrive(requester, JSON.parse(a.input) as StartRedriveInput);
      watchRedrive(ctx, requester, task.id);
      return task;
    }
    case 'replay.start':
      return ctx.platform.startReplay(requester, JSON.parse(a.input) as StartReplayInput);
    case 'saga.compensate':
    case 'saga.resume':
      return executeCompensation(
        ctx,
        requester,
        JSON.parse(a.input) as { sagaId: string; mode: 'compensate' | 'resume'; reason: string },
      );
  }
}

/**
 * Approve (then run) or reject a pending request. The requester can never decide their own
 * request; expired or already-decided requests are refused; the decision and the outcome are
 * audited.
 */
export function decideApproval(
  ctx: OpsContext,
  caller: Caller,
  id: string,
  req: ApprovalDecisionRequest,
  meta: RequestMeta,
): Promise<Approval> {
  return withIdempotency(ctx, caller, meta, 'approval.decide', { id, ...req }, async () => {
    const a = getApproval(ctx, id);
    if (a.requestedBy === caller.id) {
      throw new PlatformError(
        'Forbidden',
        'approvalId: you requested this action; a second person must approve or reject it',
        'approvalId',
      );
    }
    if (a.status === 'EXPIRED')
      throw new PlatformError(
        'Conflict',
        `approvalId: the request expired at ${a.expiresAt}; ask for a new one`,
        'approvalId',
      );
    if (a.status !== 'PENDING')
      throw new PlatformError('Conflict', `approvalId: the request is already ${a.status.toLowerCase()}`, 'approvalId');
    const decision = req.decision === 'approve' ? 'APPROVED' : 'REJECTED';
    if (!ctx.approvals.decide(id, decision, caller, req.comment ?? null, ctx.now())) {
      throw new PlatformError(
        'Conflict',
        'approvalId: someone else decided this request first, or it just expired',
        'approvalId',
      );
    }
    const base = {
      requestId: meta.requestId,
      target: a.target,
      ticket: a.ticket,
      approvalId: id,
      idempotencyKey: meta.idempotencyKey,
    };
    ctx.audit.append(
      {
        ...base,
        actor: caller,
        action: decision === 'APPROVED' ? 'approval.approve' : 'approval.reject',
        outcome: decision === 'APPROVED' ? 'approved' : 'rejected',
        reason: req.comment ?? a.reason,
        inputs: { action: a.action },
      },
      ctx.now(),
    );
    if (decision === 'REJECTED') return getApproval(ctx, id);
    const requester: Caller = { id: a.requestedBy, name: a.requestedByName, role: roleSchema.parse(a.requestedRole) };
    try {
      const result = await execute(ctx, a);
      ctx.approvals.finish(id, 'EXECUTED', result, ctx.now());
      ctx.audit.append(
        {
          ...base,
          actor: requester,
          action: a.action,
          outcome: a.action.startsWith('saga.') ? 'succeeded' : 'started',
          reason: a.reason,
          inputs: JSON.parse(a.input),
          result: summary(result, caller),
        },
        ctx.now(),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      ctx.approvals.finish(id, 'FAILED', { error: message }, ctx.now());
      ctx.audit.append(
        {
          ...base,
          actor: requester,
          action: a.action,
          outcome: 'failed',
          reason: a.reason,
          inputs: JSON.parse(a.input),
          result: { error: message, approvedBy: caller.id },
        },
        ctx.now(),
      );
    }
    return getApproval(ctx, id);
  });
}

function summary(result: unknown, approver: Caller): Record<string, unknown> {
  const r = result as { id?: string; name?: string; saga?: { status: string }; reconciliation?: { balanced: boolean } };
  return {
    approvedBy: approver.id,
    id: r.id ?? r.name ?? null,
    sagaStatus: r.saga?.status ?? null,
    balanced: r.reconciliation?.balanced ?? null,
  };
}
