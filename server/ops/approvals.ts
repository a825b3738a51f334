import 'server-only';
import type { Approval } from '../approvals/approval.schema';
import type { ApprovalsForReview } from '../approvals/store';
import { can, roleSchema, type Caller, type Permission } from '../auth/permissions.schema';
import { approvalIdSchema, type StartRedriveInput, type StartReplayInput } from '../platform/inputs.schema';
import type { RedriveTask } from '../platform/platform.schema';
import { PlatformError } from '../platform/port';
import { CLOSED_LOOP_CALLER, watchCompletion, watchRedrive } from './closed-loop';
import { executeCompensation, type CompensationInput } from './compensate';
import type { OpsContext, RequestMeta } from './context';
import { assertNoOverlappingReplay, replayClaim, withClaim } from './duplicates';
import { withIdempotency } from './idempotency';
import { pathId } from './ids';
import type { ApprovalDecisionRequest } from './ops.schema';
import { executeQuarantine, quarantineSummary, type QuarantineInput } from './quarantine';
import type { QuarantineResult } from './quarantine.schema';
import { classRedriveSize } from './redrive';

const permissionOf: Record<Approval['action'], Permission> = {
  'redrive.start': 'queue.redrive',
  'replay.start': 'archive.replay',
  'saga.compensate': 'saga.compensate',
  'saga.resume': 'saga.compensate',
  'queue.quarantine': 'queue.quarantine',
};

export function listApprovals(
  ctx: OpsContext,
  filter: { status?: Approval['status']; limit: number },
): Promise<Approval[]> {
  return ctx.approvals.list(filter, ctx.now());
}

/** What the approvals page shows: every waiting request, then the `decidedLimit` latest settled ones. */
export function listApprovalsForReview(ctx: OpsContext, decidedLimit: number): Promise<ApprovalsForReview> {
  return ctx.approvals.listForReview({ decidedLimit }, ctx.now());
}

export async function getApproval(ctx: OpsContext, id: string): Promise<Approval> {
  const a = await ctx.approvals.get(pathId(approvalIdSchema, 'approvalId', id), ctx.now());
  if (!a) throw new PlatformError('NotFound', `approvalId: no approval request ${id}`, 'approvalId');
  return a;
}

/**
 * An approved "redrive all" moves whatever the DLQ holds when it runs, and the move task
 * cannot be capped: so it runs only while the DLQ holds no more than the approved size. The
 * tolerance is 0 because the approver consented to a number; any excess would move messages
 * nobody approved (a DLQ that shrank is fine: fewer move).
 */
export const REDRIVE_SIZE_TOLERANCE = 0;

/** Who asked, as stored at request time: for the audit only, never for permissions. */
function storedRequester(a: Approval): Caller {
  const role = roleSchema.safeParse(a.requestedRole);
  return { id: a.requestedBy, name: a.requestedByName, role: role.success ? role.data : 'viewer' };
}

/**
 * The requester as they are NOW (the approver vouches, the maker acts, with the maker's current
 * role): refused when the user is gone, or when the current role cannot be resolved at all
 * (aws) rather than trusting the role stored at request time.
 */
async function currentRequester(ctx: OpsContext, a: Approval): Promise<Caller> {
  if (ctx.users.kind === 'unresolvable') {
    throw new PlatformError(
      'Forbidden',
      `approvalId: cannot confirm that the requester ${a.requestedBy} still may ${permissionOf[a.action]}: ${ctx.users.why}; refusing rather than trusting the role stored at request time (${a.requestedRole})`,
      'approvalId',
    );
  }
  const requester = await ctx.users.current(a.requestedBy);
  if (!requester) {
    throw new PlatformError(
      'Forbidden',
      `approvalId: the requester ${a.requestedBy} cannot be found (removed, or never seen by this console), so nobody can act on this request`,
      'approvalId',
    );
  }
  return requester;
}

function assertRequesterMay(requester: Caller, a: Approval): void {
  const permission = permissionOf[a.action];
  if (!can(requester.role, permission)) {
    throw new PlatformError(
      'Forbidden',
      `approvalId: the requester's current role (${requester.role}) does not allow ${permission} (it was ${a.requestedRole} when they asked)`,
      'approvalId',
    );
  }
}

function approvedRedriveSize(a: Approval): number {
  const preview = a.preview ? (JSON.parse(a.preview) as { messages?: unknown }) : null;
  const messages = preview?.messages;
  if (typeof messages !== 'number' || !Number.isInteger(messages) || messages < 0) {
    throw new PlatformError(
      'Conflict',
      'approvalId: the request does not record how many messages were approved; ask for a new approval',
      'approvalId',
    );
  }
  return messages;
}

async function assertRedriveWithinApproval(
  ctx: OpsContext,
  requester: Caller,
  a: Approval,
  input: StartRedriveInput,
): Promise<void> {
  if (input.messageIds) return; // a selection moves exactly the approved messages
  const approved = approvedRedriveSize(a);
  const pair = (await ctx.platform.listQueuePairs(requester)).find((p) => p.id === input.queueId);
  if (!pair) throw new PlatformError('Invalid', `queueId: unknown queue ${JSON.stringify(input.queueId)}`, 'queueId');
  // A class redrive moves the classes' dead letters (the approved verdicts were checked at request time).
  const current = input.classIds
    ? await classRedriveSize(ctx, requester, { ...input, includePermanent: true })
    : pair.dlq.visible + pair.dlq.inFlight;
  if (current > approved + REDRIVE_SIZE_TOLERANCE) {
    throw new PlatformError(
      'Conflict',
      `queueId: the ${input.queueId} DLQ now holds ${current} messages but ${approved} were approved; a redrive of all would move them all, so ask for a new approval of the current size`,
      'queueId',
    );
  }
}

/** The approved action's checks and its one platform call (the side effect), nothing after it. */
async function act(ctx: OpsContext, a: Approval, requester: Caller, meta: RequestMeta): Promise<unknown> {
  switch (a.action) {
    case 'redrive.start': {
      const input = JSON.parse(a.input) as StartRedriveInput;
      await assertRedriveWithinApproval(ctx, requester, a, input);
      return ctx.platform.startRedrive(requester, input);
    }
    case 'replay.start': {
      const input = JSON.parse(a.input) as StartReplayInput;
      // Another replay of an overlapping window may have started since the request was filed.
      return withClaim(ctx, requester, meta, a.action, replayClaim(input), async () => {
        await assertNoOverlappingReplay(ctx, requester, input, { waiting: false });
        return ctx.platform.startReplay(requester, input);
      });
    }
    case 'saga.compensate':
    case 'saga.resume':
      return executeCompensation(ctx, requester, JSON.parse(a.input) as CompensationInput);
    case 'queue.quarantine':
      return executeQuarantine(ctx, requester, JSON.parse(a.input) as QuarantineInput, approvedRedriveSize(a));
  }
}

/**
 * Approve (then run) or reject a pending request. The requester can never decide their own
 * request; expired or already-decided requests are refused; the decision and the outcome are
 * audited. A request is decided exactly once: a second decision in flight is refused (claim),
 * and one after it sees the request decided (409 either way).
 */
export async function decideApproval(
  ctx: OpsContext,
  caller: Caller,
  rawId: string,
  req: ApprovalDecisionRequest,
  meta: RequestMeta,
): Promise<Approval> {
  const id = pathId(approvalIdSchema, 'approvalId', rawId);
  const claim = { scope: `approval:${id}`, field: 'approvalId', detail: `the decision on approval request ${id}` };
  return withIdempotency(ctx, caller, meta, 'approval.decide', { id, ...req }, () =>
    withClaim(ctx, caller, meta, 'approval.decide', claim, () => decide(ctx, caller, id, req, meta)),
  );
}

async function decide(
  ctx: OpsContext,
  caller: Caller,
  id: string,
  req: ApprovalDecisionRequest,
  meta: RequestMeta,
): Promise<Approval> {
  const a = await getApproval(ctx, id);
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
  if (!(await ctx.approvals.decide(id, decision, caller, req.comment ?? null, ctx.now()))) {
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
  await ctx.audit.append(
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
  let requester = storedRequester(a);
  let done: unknown;
  try {
    requester = await currentRequester(ctx, a);
    assertRequesterMay(requester, a);
    done = await act(ctx, a, requester, meta);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof PlatformError ? error.code : null;
    await ctx.approvals.finish(id, 'FAILED', { error: message, code }, ctx.now());
    await ctx.audit.append(
      {
        ...base,
        actor: requester,
        action: a.action,
        outcome: 'failed',
        reason: a.reason,
        inputs: JSON.parse(a.input),
        result: { error: message, code, approvedBy: caller.id },
      },
      ctx.now(),
    );
    return getApproval(ctx, id);
  }
  // The side effect happened: record it as done now; nothing after this marks it failed.
  await ctx.approvals.finish(id, 'EXECUTED', done, ctx.now());
  await ctx.audit.append(
    {
      ...base,
      actor: requester,
      action: a.action,
      // Every approved action has only started here; its end state gets its own row (closed loop).
      outcome: 'started',
      reason: a.reason,
      inputs: JSON.parse(a.input),
      result:
        a.action === 'queue.quarantine'
          ? { approvedBy: caller.id, ...quarantineSummary(done as QuarantineResult) }
          : summary(done, caller),
    },
    ctx.now(),
  );
  if (a.action === 'redrive.start') watchRedrive(ctx, (done as RedriveTask).id);
  if (a.action === 'replay.start') watchCompletion(ctx, 'replay', (done as { name: string }).name, CLOSED_LOOP_CALLER);
  if (a.action.startsWith('saga.')) {
    const sagaId = (JSON.parse(a.input) as { sagaId?: unknown }).sagaId;
    if (typeof sagaId === 'string') watchCompletion(ctx, 'compensation', sagaId, requester);
  }
  return getApproval(ctx, id);
}

function summary(result: unknown, approver: Caller): Record<string, unknown> {
  const r = result as { id?: string; name?: string; status?: string; total?: number };
  return { approvedBy: approver.id, id: r.id ?? r.name ?? null, status: r.status ?? null, total: r.total ?? null };
}
