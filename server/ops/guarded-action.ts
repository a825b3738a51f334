import 'server-only';
import { approvalActions, type ApprovalAction } from '../approvals/approval.schema';
import type { AuditAction } from '../audit/audit.schema';
import type { Caller } from '../auth/permissions.schema';
import { requestApproval } from './approval-request';
import type { OpsContext, RequestMeta } from './context';
import { withClaim, type ActionClaim } from './duplicates';
import { withIdempotency } from './idempotency';
import type { ActionOutcome } from './ops.schema';

/** What a write verb's checks decided: the audited inputs and target, and whether it waits for a second person. */
export interface CheckedAction<I> {
  inputs: I;
  /** Known before acting (a start); a cancel names it from the platform's answer (`targetOf`). */
  target?: string;
  /** Set when the policy wants maker-checker: what the approver sees. */
  approval?: { preview: () => unknown } | null;
}

/**
 * One write verb, as data: runGuardedAction (or runAction) does the rest. Input
 * validation and authorization happened once, in the route wrapper (server/http/route.ts).
 */
export interface ActionSpec<I, T, R = T> {
  /** Names the audit rows (and the approval request, when one is filed). */
  action: AuditAction;
  /** What the Idempotency-Key is bound to: an action name and the request as the operator sent it. */
  idempotency: { action: string; input: unknown };
  reason: string;
  ticket?: string;
  /**
   * The duplicate guard: what this action claims while it runs (server/ops/duplicates.ts). An
   * identical request in flight is refused with 409 naming this one, whatever its Idempotency-Key.
   */
  claim: ActionClaim;
  /**
   * The checks against the platform (unknown queue, empty DLQ, window bounds...), including the
   * duplicates a claim cannot see once released (a replay still running, a task still moving).
   */
  check: () => Promise<CheckedAction<I>>;
  /** The one platform call: the side effect. */
  act: (inputs: I) => Promise<T>;
  outcome: 'started' | 'cancelled' | 'succeeded';
  /** The audit row's result. */
  summary: (done: T) => unknown;
  targetOf?: (done: T) => string;
  /** After the side effect was audited (arm the closed loop, read the ledger); must not fail the action. */
  after?: (done: T) => R | Promise<R>;
}

const isApprovalAction = (action: AuditAction): action is ApprovalAction =>
  (approvalActions as readonly string[]).includes(action);

/** claim -> check -> approval guard (maker-checker) -> platform -> audit -> release -> after. */
async function guard<I, T, R>(
  ctx: OpsContext,
  caller: Caller,
  meta: RequestMeta,
  spec: ActionSpec<I, T, R>,
): Promise<ActionOutcome<R>> {
  const claimed = await withClaim(ctx, caller, meta, spec.action, spec.claim, () =>
    guardClaimed(ctx, caller, meta, spec),
  );
  if (claimed.status !== 'started') return claimed;
  return { ...claimed, result: spec.after ? await spec.after(claimed.result) : (claimed.result as unknown as R) };
}

/** The part of guard() that runs holding the claim: everything up to the audit row. */
async function guardClaimed<I, T, R>(
  ctx: OpsContext,
  caller: Caller,
  meta: RequestMeta,
  spec: ActionSpec<I, T, R>,
): Promise<ActionOutcome<T>> {
  const checked = await spec.check();
  if (checked.approval) {
    if (!isApprovalAction(spec.action)) throw new Error(`${spec.action} cannot wait for an approval`);
    return requestApproval(ctx, caller, meta, {
      action: spec.action,
      target: checked.target ?? '',
      input: checked.inputs,
      preview: await checked.approval.preview(),
      reason: spec.reason,
      ticket: spec.ticket,
    });
  }
  const done = await spec.act(checked.inputs);
  // The side effect happened: record it before anything else can fail.
  const entry = await ctx.audit.append(
    {
      requestId: meta.requestId,
      actor: caller,
      action: spec.action,
      outcome: spec.outcome,
      target: spec.targetOf ? spec.targetOf(done) : checked.target,
      reason: spec.reason,
      ticket: spec.ticket,
      idempotencyKey: meta.idempotencyKey,
      inputs: checked.inputs,
      result: spec.summary(done),
    },
    ctx.now(),
  );
  return { status: 'started', result: done, auditSeq: entry.seq };
}

/**
 * The one guarded path of the write verbs: Idempotency-Key -> claim (duplicate guard) -> checks ->
 * approval guard (maker-checker) -> platform -> audit. Answers started (200) or waiting for approval (202).
 */
export function runGuardedAction<I, T, R = T>(
  ctx: OpsContext,
  caller: Caller,
  meta: RequestMeta,
  spec: ActionSpec<I, T, R>,
): Promise<ActionOutcome<R>> {
  return withIdempotency(ctx, caller, meta, spec.idempotency.action, spec.idempotency.input, () =>
    guard(ctx, caller, meta, spec),
  );
}

/** The same path for an action that never waits for approval (a cancel): answers its result. */
export function runAction<I, T, R = T>(
  ctx: OpsContext,
  caller: Caller,
  meta: RequestMeta,
  spec: ActionSpec<I, T, R>,
): Promise<R> {
  return withIdempotency(ctx, caller, meta, spec.idempotency.action, spec.idempotency.input, async () => {
    const outcome = await guard(ctx, caller, meta, spec);
    if (outcome.status !== 'started') throw new Error(`${spec.action} cannot wait for an approval`);
    return outcome.result;
  });
}
