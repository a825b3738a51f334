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
 * Redrive a DLQ (all messages or a selection, optional rate <= 500 msg/s). Above the policy's
 * size it waits for an approval; otherwise it starts now and the closed loop watches it.
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
      const size = req.messageIds?.length ?? pair.dlq.visible + pair.dlq.inFlight;
      if (size === 0)
        throw new PlatformError('Conflict', `queueId: the ${pair.id} DLQ is empty: nothing to redrive`, 'queueId');
      const preview = { messages: size, rate: req.rate ?? null, threshold: ctx.policy.redriveApprovalThreshold };
      const needsApproval = redriveNeedsApproval(ctx.policy, size);
      // Started now: one active task per DLQ (a request for approval is checked when it runs).
      if (!needsApproval) await assertNoActiveRedrive(ctx, caller, pair.id);
      return {
        inputs: { queueId: req.queueId, rate: req.rate, messageIds: req.messageIds },
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
