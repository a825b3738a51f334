import 'server-only';
import type { Approval, ApprovalAction } from '../approvals/approval.schema';
import type { Caller } from '../auth/permissions.schema';
import { PlatformError } from '../platform/port';
import type { OpsContext, RequestMeta } from './context';
import type { ActionOutcome } from './ops.schema';

/** Files a guarded action for a second person's approval (maker-checker) and audits the request. */
export async function requestApproval(
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
): Promise<ActionOutcome<never>> {
  if (!a.ticket)
    throw new PlatformError(
      'Invalid',
      "ticket: this action needs a second person's approval; give a ticket reference like INC-1234",
      'ticket',
    );
  const waiting = await waitingDuplicate(ctx, a);
  if (waiting) {
    const field = conflictField[a.action];
    throw new PlatformError(
      'Conflict',
      `${field}: the same request is already waiting for approval (${waiting.id}, requested by ${waiting.requestedByName} at ${waiting.requestedAt}, expires ${waiting.expiresAt}): approve or reject that one on the approvals page`,
      field,
    );
  }
  const approval = await ctx.approvals.create(
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
  const entry = await ctx.audit.append(
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

/** Actions that act on the same thing when their targets are equal. */
const kindOf = (action: ApprovalAction): string => (action.startsWith('saga.') ? 'saga' : action);

/** The request field a duplicate names: what makes the two requests the same. */
const conflictField: Record<ApprovalAction, string> = {
  'saga.compensate': 'sagaId',
  'saga.resume': 'sagaId',
  'redrive.start': 'queueId',
  'replay.start': 'window',
  'queue.quarantine': 'classIds',
};

/**
 * A request still waiting for approval that this one would repeat (a second operator, or the same
 * one after a reload): approving both would run the action twice, or fail the second. The same
 * action on the same target is the same request for a saga (compensated or resumed once) and for
 * a redrive of all of a DLQ's messages; selected redrives and replays are the same request only
 * with the same messages, or the same window and pattern. A compensation and a resume of one saga
 * are the same request: either changes the saga the other was asked for.
 */
async function waitingDuplicate(
  ctx: OpsContext,
  a: { action: ApprovalAction; target: string; input: unknown },
): Promise<Approval | undefined> {
  const pending = await ctx.approvals.waiting(ctx.now());
  const scope = (input: unknown): string => {
    const i = (input ?? {}) as Record<string, unknown>;
    if (a.action === 'redrive.start')
      return JSON.stringify(Array.isArray(i.messageIds) ? [...(i.messageIds as string[])].sort() : 'all');
    if (a.action === 'replay.start') return JSON.stringify([i.window ?? null, i.pattern ?? null]);
    if (a.action === 'queue.quarantine') return JSON.stringify([...((i.classIds as string[]) ?? [])].sort());
    return '';
  };
  const mine = scope(a.input);
  return pending.find((p) => {
    if (p.target !== a.target || kindOf(p.action) !== kindOf(a.action)) return false;
    try {
      return scope(JSON.parse(p.input)) === mine;
    } catch {
      return false;
    }
  });
}
