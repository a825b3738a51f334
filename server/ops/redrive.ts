import 'server-only';
import { redriveNeedsApproval } from '../approvals/policy';
import type { Caller } from '../auth/permissions.schema';
import type { RedriveTask } from '../platform/platform.schema';
import { PlatformError } from '../platform/port';
import { watchRedrive } from './closed-loop';
import type { OpsContext, RequestMeta } from './context';
import { runAction, runGuardedAction } from './guarded-action';
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
    check: async () => {
      const pair = (await ctx.platform.listQueuePairs(caller)).find((p) => p.id === req.queueId);
      if (!pair) throw new PlatformError('Invalid', `queueId: unknown queue ${JSON.stringify(req.queueId)}`, 'queueId');
      const size = req.messageIds?.length ?? pair.dlq.visible + pair.dlq.inFlight;
      if (size === 0)
        throw new PlatformError('Conflict', `queueId: the ${pair.id} DLQ is empty: nothing to redrive`, 'queueId');
      const preview = { messages: size, rate: req.rate ?? null, threshold: ctx.policy.redriveApprovalThreshold };
      return {
        inputs: { queueId: req.queueId, rate: req.rate, messageIds: req.messageIds },
        target: `queue:${pair.id}`,
        approval: redriveNeedsApproval(ctx.policy, size) ? { preview: () => preview } : null,
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

export function cancelRedrive(
  ctx: OpsContext,
  caller: Caller,
  id: string,
  reason: string,
  meta: RequestMeta,
): Promise<RedriveTask> {
  return runAction(ctx, caller, meta, {
    action: 'redrive.cancel',
    idempotency: { action: 'redrive.cancel', input: { id, reason } },
    reason,
    check: () => Promise.resolve({ inputs: { id } }),
    act: () => ctx.platform.cancelRedrive(caller, id),
    outcome: 'cancelled',
    summary: (task) => ({ moved: task.moved, total: task.total }),
    targetOf: (task) => `queue:${task.queueId}`,
  });
}
