import 'server-only';
import type { AuditAction, AuditOutcome } from '../audit/audit.schema';
import type { Caller } from '../auth/permissions.schema';
import { outcomeText } from '../platform/platform.schema';
import type { OpsContext } from './context';

/**
 * The audit rows written when a redrive, a replay or a compensation has really finished: a task
 * once it ended and its outcome settled (its moved messages processed or back in the DLQ), a
 * compensation once its saga left COMPENSATING. Each is written once (looked up first), so the
 * watchers may call these as often as they like. Each answers true once nothing is left to wait for.
 */
export type Completion = 'redrive' | 'replay' | 'compensation';

async function written(ctx: OpsContext, action: AuditAction, target: string, from?: string): Promise<boolean> {
  return (await ctx.audit.list({ action, q: target, from, limit: 20 })).items.some((e) => e.target === target);
}

async function append(
  ctx: OpsContext,
  actor: Caller,
  row: { action: AuditAction; outcome: AuditOutcome; target: string; reason: string; inputs: unknown; result: unknown },
): Promise<void> {
  await ctx.audit.append({ requestId: `completed-${row.target}`, actor, ...row }, ctx.now());
}

const taskOutcome = (status: string): AuditOutcome =>
  status === 'COMPLETED' ? 'succeeded' : status === 'CANCELLED' ? 'cancelled' : 'failed';

export async function auditRedriveCompletion(ctx: OpsContext, system: Caller, id: string): Promise<boolean> {
  const task = await ctx.platform.getRedrive(system, id);
  if (!task) return true;
  if (task.status === 'RUNNING' || task.status === 'CANCELLING') return false;
  if (task.outcome && !task.outcome.settled) return false;
  const target = `redrive:${id}`;
  if (await written(ctx, 'redrive.completed', target)) return true;
  await append(ctx, system, {
    action: 'redrive.completed',
    outcome: taskOutcome(task.status),
    target,
    reason: `Redrive ${task.status}: ${task.moved} of ${task.total} moved; ${outcomeText(task.outcome)}`,
    inputs: { id, queueId: task.queueId, startedBy: task.startedBy },
    result: { status: task.status, moved: task.moved, total: task.total, outcome: task.outcome ?? null },
  });
  return true;
}

export async function auditReplayCompletion(ctx: OpsContext, system: Caller, name: string): Promise<boolean> {
  const replay = await ctx.platform.getReplay(system, name);
  if (!replay) return true;
  if (replay.state === 'STARTING' || replay.state === 'RUNNING' || replay.state === 'CANCELLING') return false;
  if (replay.outcome && !replay.outcome.settled) return false;
  const target = `replay:${name}`;
  if (await written(ctx, 'replay.completed', target)) return true;
  await append(ctx, system, {
    action: 'replay.completed',
    outcome: taskOutcome(replay.state),
    target,
    reason: `Replay ${replay.state}: ${replay.eventsReplayed} events replayed; ${outcomeText(replay.outcome)}`,
    inputs: { name, archive: replay.archive, window: replay.window, startedBy: replay.startedBy },
    result: { state: replay.state, eventsReplayed: replay.eventsReplayed, outcome: replay.outcome ?? null },
  });
  return true;
}

/**
 * The saga's final state after a compensation (or resume) accepted at `since` (ISO), audited for
 * its requester once: not again if a completion row for the saga was written since then.
 */
export async function auditCompensationCompletion(
  ctx: OpsContext,
  requester: Caller,
  sagaId: string,
  since: string,
): Promise<boolean> {
  const saga = await ctx.platform.getSaga(requester, sagaId);
  if (!saga) return true;
  if (saga.status === 'COMPENSATING' || saga.status === 'RUNNING') return false;
  const target = `saga:${sagaId}`;
  if (await written(ctx, 'saga.compensate.completed', target, since)) return true;
  await append(ctx, requester, {
    action: 'saga.compensate.completed',
    outcome: saga.status === 'FAILED' ? 'failed' : 'succeeded',
    target,
    reason: `Saga ${sagaId} is ${saga.status}`,
    inputs: { sagaId },
    result: { status: saga.status, failedStep: saga.failedStep ?? null },
  });
  return true;
}
