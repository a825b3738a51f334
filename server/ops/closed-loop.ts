import 'server-only';
import { alarmName } from '../../infra/platform/description';
import type { Caller } from '../auth/permissions.schema';
import type { OpsContext } from './context';
import type { RedrivePause, RedriveStatusResponse } from './ops.schema';

/** The alarm that says a queue's consumer is failing: redriving into it only refills the DLQ. */
export function consumerErrorAlarm(ctx: OpsContext, _queueId: string): string {
  return alarmName(ctx.policy.stage, 'processor-errors');
}

/**
 * The identity the closed loop acts under: a system caller, never a human. The operator role
 * is the least privileged role with `queue.redrive.cancel` (the pause is a cancel). In AWS it
 * assumes the operator role with this id as SourceIdentity, so CloudTrail names the system.
 */
export const CLOSED_LOOP_CALLER: Caller = { id: 'system:closed-loop', name: 'Closed loop (system)', role: 'operator' };

const WATCH_INTERVAL_MS = 5_000;
const WATCH_MAX_MS = 6 * 3_600_000;
const watched = new Map<string, ReturnType<typeof setInterval>>();

/** A redrive's progress and the closed loop's pause, if any. Read-only: polling never acts. */
export async function readRedrive(ctx: OpsContext, caller: Caller, id: string): Promise<RedriveStatusResponse | null> {
  const task = await ctx.platform.getRedrive(caller, id);
  if (!task) return null;
  return { task, pause: pauseOf(ctx, id) };
}

/**
 * The closed loop, run only by the watcher: if the consumer's error alarm went to ALARM after
 * the redrive started, cancel the redrive as the system (the remainder stays in the DLQ,
 * offered to resume) and audit why, naming the task's real starter.
 */
export async function closedLoopCheck(ctx: OpsContext, id: string): Promise<RedriveStatusResponse | null> {
  const system = CLOSED_LOOP_CALLER;
  let task = await ctx.platform.getRedrive(system, id);
  if (!task) return null;
  if (task.status !== 'RUNNING') return { task, pause: pauseOf(ctx, id) };
  const alarm = await ctx.platform.getAlarm(system, consumerErrorAlarm(ctx, task.queueId));
  if (!alarm || alarm.alarm.state !== 'ALARM' || Date.parse(alarm.alarm.since) < Date.parse(task.startedAt)) {
    return { task, pause: null };
  }
  task = await ctx.platform.cancelRedrive(system, id);
  const pause: RedrivePause = {
    reason: `Paused: the ${alarm.alarm.name} alarm fired at ${alarm.alarm.since} during the redrive (${alarm.alarm.reason}). Redriving into a failing consumer only refills the DLQ; resume once the alarm is OK.`,
    remaining: Math.max(0, task.total - task.moved),
    at: new Date(ctx.now()).toISOString(),
  };
  ctx.audit.append(
    {
      requestId: `closed-loop-${id}`,
      actor: system,
      action: 'redrive.pause',
      outcome: 'paused',
      target: `redrive:${id}`,
      reason: pause.reason,
      inputs: { id, startedBy: task.startedBy },
      result: pause,
    },
    ctx.now(),
  );
  return { task, pause };
}

function pauseOf(ctx: OpsContext, id: string): RedrivePause | null {
  const entry = ctx.audit.list({ action: 'redrive.pause', q: `redrive:${id}`, limit: 1 }).items[0];
  return entry?.result ? (JSON.parse(entry.result) as RedrivePause) : null;
}

/**
 * Watches a running redrive in this process until it ends: the only place that pauses one.
 * Idempotent per task. Armed when a redrive starts (or an approved one runs), and re-armed by
 * rearmWatchers when the server's ops context is created (e.g. after a console restart).
 */
export function watchRedrive(ctx: OpsContext, id: string): void {
  if (watched.has(id)) return;
  const started = Date.now();
  const timer = setInterval(() => {
    closedLoopCheck(ctx, id)
      .then((s) => {
        if (!s || s.task.status !== 'RUNNING' || Date.now() - started > WATCH_MAX_MS) stopWatching(id);
      })
      .catch((error: unknown) => {
        console.error(
          JSON.stringify({
            level: 'error',
            event: 'closed_loop_check_failed',
            redrive: id,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
        stopWatching(id);
      });
  }, WATCH_INTERVAL_MS);
  timer.unref?.();
  watched.set(id, timer);
}

export function isWatched(id: string): boolean {
  return watched.has(id);
}

export function stopWatching(id: string): void {
  clearInterval(watched.get(id));
  watched.delete(id);
}

/** Redrive tasks looked at when re-arming (the most recent page: a running task is recent). */
const REARM_PAGE = 100;

/**
 * Watches every running redrive again: called when the server's ops context is created, so a
 * console restart does not leave a running redrive unwatched. Never throws: a failed listing is
 * logged and answers false (the server then tries again with its next request).
 */
export async function rearmWatchers(ctx: OpsContext): Promise<boolean> {
  try {
    const page = await ctx.platform.listRedrives(CLOSED_LOOP_CALLER, { limit: REARM_PAGE });
    for (const task of page.items) if (task.status === 'RUNNING') watchRedrive(ctx, task.id);
    return true;
  } catch (error) {
    console.error(
      JSON.stringify({
        level: 'error',
        event: 'closed_loop_rearm_failed',
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    return false;
  }
}
