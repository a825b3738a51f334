import 'server-only';
import { redriveNeedsApproval } from '../approvals/policy';
import type { Caller } from '../auth/permissions.schema';
import { redriveIdSchema } from '../platform/inputs.schema';
import type { RedriveTask } from '../platform/platform.schema';
import { PlatformError } from '../platform/port';
import { watchRedrive } from './closed-loop';
import type { OpsContext, RequestMeta } from './context';
import { assertNoActiveRedrive } from './duplicates';
import { runAction, runGuardedAction } from './guarded-action';
import { pathId } from './ids';
import type { ActionOutcome, RedriveRequest } from './ops.schema';

/**
 * The size of a class redrive: the classes' counts from the failure index. An unknown class is
 * refused naming its index; a permanent class (it fails again) only with `includePermanent: true`.
 */
export async function classRedriveSize(
  ctx: OpsContext,
  caller: Caller,
  req: Pick<RedriveRequest, 'queueId' | 'classIds' | 'includePermanent'>,
): Promise<number> {
  const classes = new Map((await ctx.platform.listFailureClasses(caller, req.queueId)).map((c) => [c.classId, c]));
  let size = 0;
  for (const [i, id] of (req.classIds ?? []).entries()) {
    const c = classes.get(id);
    if (!c)
      throw new PlatformError(
        'Conflict',
        `classIds.${i}: the ${req.queueId} DLQ holds no dead letters of class ${id}`,
        `classIds.${i}`,
      );
    if (c.verdict === 'permanent' && req.includePermanent !== true)
      throw new PlatformError(
        'Invalid',
        `includePermanent: class ${id} (${c.errorType} at ${c.step}) is permanent: its messages fail again; send includePermanent: true to redrive it anyway`,
        'includePermanent',
      );
    size += c.count;
  }
  return size;
}

/**
 * Redrive a DLQ (all messages, a selection, or failure classes; optional rate <= 500 msg/s).
 * Above the policy's size it waits for an approval; otherwise it starts now and the closed loop
 * watches it.
 */
export function startRedrive(
  ctx: OpsContext,
  caller: Caller,
  req: RedriveRequest,
  meta: RequestMeta,
): Promise<ActionOutcome<RedriveTask>> {
  return runGuardedAction(ctx, caller, meta, {
    action: 'redrive.start',
    idempotency: { action: 'redrive.start', input: req },
    reason: req.reason,
    ticket: req.ticket,
    claim: {
      scope: `redrive.start:queue:${req.queueId}`,
      field: 'queueId',
      detail: `a redrive of the ${req.queueId} DLQ`,
    },
    check: async () => {
      const pair = (await ctx.platform.listQueuePairs(caller)).find((p) => p.id === req.queueId);
      if (!pair) throw new PlatformError('Invalid', `queueId: unknown queue ${JSON.stringify(req.queueId)}`, 'queueId');
      if (req.messageIds && req.classIds)
        throw new PlatformError('Invalid', 'classIds: choose messages or classes, not both', 'classIds');
      if (req.includePermanent !== undefined && !req.classIds)
        throw new PlatformError('Invalid', 'includePermanent: only with classIds', 'includePermanent');
      const size = req.classIds
        ? await classRedriveSize(ctx, caller, req)
        : (req.messageIds?.length ?? pair.dlq.visible + pair.dlq.inFlight);
      if (size === 0)
        throw new PlatformError('Conflict', `queueId: the ${pair.id} DLQ is empty: nothing to redrive`, 'queueId');
      const preview = { messages: size, rate: req.rate ?? null, threshold: ctx.policy.redriveApprovalThreshold };
      const needsApproval = redriveNeedsApproval(ctx.policy, size);
      // Started now: one active task per DLQ (a request for approval is checked when it runs).
      if (!needsApproval) await assertNoActiveRedrive(ctx, caller, pair.id);
      return {
        inputs: { queueId: req.queueId, rate: req.rate, messageIds: req.messageIds, classIds: req.classIds },
        target: `queue:${pair.id}`,
        approval: needsApproval ? { preview: () => preview } : null,
      };
    },
    act: (input) => ctx.platform.startRedrive(caller, input),
    outcome: 'started',
    summary: (task) => ({ taskId: task.id, total: task.total }),
    after: (task) => {
      watchRedrive(ctx, task.id);
      return task;
    },
  });
}

/** Cancels a running redrive; a second cancel of it is refused with 409 (404 for an unknown id). */
export async function cancelRedrive(
  ctx: OpsContext,
  caller: Caller,
  rawId: string,
  reason: string,
  meta: RequestMeta,
): Promise<RedriveTask> {
  const id = pathId(redriveIdSchema, 'id', rawId);
  return runAction(ctx, caller, meta, {
    action: 'redrive.cancel',
    idempotency: { action: 'redrive.cancel', input: { id, reason } },
    reason,
    claim: { scope: `redrive.cancel:${id}`, field: 'id', detail: `the cancel of redrive ${id}` },
    check: async () => {
      const task = await ctx.platform.getRedrive(caller, id);
      if (!task) throw new PlatformError('NotFound', `id: no redrive task ${id}`, 'id');
      if (task.status !== 'RUNNING')
        throw new PlatformError(
          'Conflict',
          `id: redrive ${id} is ${task.status}: only a RUNNING redrive can be cancelled`,
          'id',
        );
      return { inputs: { id } };
    },
    act: () => ctx.platform.cancelRedrive(caller, id),
    outcome: 'cancelled',
    summary: (task) => ({ moved: task.moved, total: task.total }),
    targetOf: (task) => `queue:${task.queueId}`,
  });
}
