import 'server-only';
import type { ApprovalAction } from '../approvals/approval.schema';
import type { Caller } from '../auth/permissions.schema';
import { PlatformError } from '../platform/port';
import type { OpsContext, RequestMeta } from './context';
import type { ActionOutcome } from './ops.schema';

/** Files a guarded action for a second person's approval (maker-checker) and audits the request. */
export function requestApproval(
  ctx: OpsContext,
  caller: Caller,
  meta: RequestMeta,
  a: {
    action: ApprovalAction;
    target: string;
    input: unknown;
    preview: unknown;
    reason: string;
    ticket: string | undefined;
  },
): ActionOutcome<never> {
  if (!a.ticket)
    throw new PlatformError(
      'Invalid',
      "ticket: this action needs a second person's approval; give a ticket reference like INC-1234",
      'ticket',
    );
  const approval = ctx.approvals.create(
    {
      action: a.action,
      target: a.target,
      input: a.input,
      preview: a.preview,
      reason: a.reason,
      ticket: a.ticket,
      requester: caller,
      ttlMinutes: ctx.policy.approvalTtlMinutes,
    },
    ctx.now(),
  );
  const entry = ctx.audit.append(
    {
      requestId: meta.requestId,
      actor: caller,
      action: a.action,
      outcome: 'requested',
      target: a.target,
      reason: a.reason,
      ticket: a.ticket,
      approvalId: approval.id,
      idempotencyKey: meta.idempotencyKey,
      inputs: a.input,
    },
    ctx.now(),
  );
  return { status: 'pending_approval', approvalId: approval.id, expiresAt: approval.expiresAt, auditSeq: entry.seq };
}
