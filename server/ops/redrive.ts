import 'server-only';
import { redriveNeedsApproval } from '../approvals/policy';
import type { Caller } from '../auth/permissions.schema';
import type { RedriveTask } from '../platform/platform.schema';
import { PlatformError } from '../platform/port';
import { requestApproval } from './approval-request';
import { watchRedrive } from './closed-loop';
import type { OpsContext, RequestMeta } from './context';
import { withIdempotency } from './idempotency';
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
  return withIdempotency(ctx, caller, meta, 'redrive.start', req, async () => {
    const pair = (await ctx.platform.listQueuePairs(caller)).find((p) => p.id === req.queueId);
    if (!pair) throw new PlatformError('Invalid', `queueId: unknown queue ${JSON.stringify(req.queueId)}`, 'queueId');
    const size = req.messageIds?.length ?? pair.dlq.visible + pair.dlq.inFlight;
    if (size === 0)
      throw new PlatformError('Conflict', `queueId: the ${pair.id} DLQ is empty: nothing to redrive`, 'queueId');
    const input = { queueId: req.queueId, rate: req.rate, messageIds: req.messageIds };
    const target = `queue:${pair.id}`;
    if (redriveNeedsApproval(ctx.policy, size)) {
      return requestApproval(ctx, caller, meta, {
        action: 'redrive.start',
        target,
        input,
        preview: { messages: size, rate: req.rate ?? null, threshold: ctx.policy.redriveApprovalThreshold },
        reason: req.reason,
        ticket: req.ticket,
      });
    }
    const task = await ctx.platform.startRedrive(caller, input);
    const entry = ctx.audit.append(
      {
        requestId: meta.requestId,
        actor: caller,
        action: 'redrive.start',
        outcome: 'started',
        target,
        reason: req.reason,
        ticket: req.ticket,
        idempotencyKey: meta.idempotencyKey,
        inputs: input,
        result: { taskId: task.id, total: task.total },
      },
      ctx.now(),
    );
    watchRedrive(ctx, task.id);
    return { status: 'started', result: task, auditSeq: entry.seq };
  });
}

export function cancelRedrive(
  ctx: OpsContext,
  caller: Caller,
  id: string,
  reason: string,
  meta: RequestMeta,
): Promise<RedriveTask> {
  return withIdempotency(ctx, caller, meta, 'redrive.cancel', { id, reason }, async () => {
    const task = await ctx.platform.cancelRedrive(caller, id);
    ctx.audit.append(
      {
        requestId: meta.requestId,
        actor: caller,
        action: 'redrive.cancel',
        outcome: 'cancelled',
        target: `queue:${task.queueId}`,
        reason,
        idempotencyKey: meta.idempotencyKey,
        inputs: { id },
        result: { moved: task.moved, total: task.total },
      },
      ctx.now(),
    );
    return task;
  });
}
