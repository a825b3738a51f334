import 'server-only';
import { alarmName } from '../../infra/platform/description';
import type { Caller } from '../auth/permissions.schema';
import type { OpsContext } from './context';
import type { RedrivePause, RedriveStatusResponse } from './ops.schema';
import {
  auditCompensationCompletion,
  auditRedriveCompletion,
  auditReplayCompletion,
  type Completion,
} from './task-completion';

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
  return { task, pause: await pauseOf(ctx, id) };
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
  if (task.status !== 'RUNNING') return { task, pause: await pauseOf(ctx, id) };
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
  await ctx.audit.append(
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

async function pauseOf(ctx: OpsContext, id: string): Promise<RedrivePause | null> {
  const entry = (await ctx.audit.list({ action: 'redrive.pause', q: `redrive:${id}`, limit: 1 })).items[0];
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
        if (!s || s.task.status !== 'RUNNING' || Date.now() - started > WATCH_MAX_MS) {
          stopWatching(id);
          // Then the outcome: the completion row once the moved messages have settled.
          if (s) watchCompletion(ctx, 'redrive', id, CLOSED_LOOP_CALLER);
        }
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
    for (const task of page.items) {
      if (task.status === 'RUNNING') watchRedrive(ctx, task.id);
      else if (task.outcome && !task.outcome.settled) watchCompletion(ctx, 'redrive', task.id, CLOSED_LOOP_CALLER);
    }
    const replays = await ctx.platform.listReplays(CLOSED_LOOP_CALLER, { limit: REARM_PAGE });
    for (const r of replays.items)
      if (r.endedAt === null || (r.outcome && !r.outcome.settled))
        watchCompletion(ctx, 'replay', r.name, CLOSED_LOOP_CALLER);
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

const completions = new Map<string, ReturnType<typeof setInterval>>();
type CompletionCheck = (ctx: OpsContext, caller: Caller, id: string, since: string) => Promise<boolean>;
const completionChecks: Record<Completion, CompletionCheck> = {
  redrive: auditRedriveCompletion,
  replay: auditReplayCompletion,
  compensation: auditCompensationCompletion,
};

/**
 * Watches a redrive, a replay or a compensation in this process until its completion row is
 * written (server/ops/task-completion.ts): after the task ends and its outcome settles. Armed
 * when the task starts (a redrive: when its closed-loop watch ends); idempotent per task.
 */
export function watchCompletion(ctx: OpsContext, kind: Completion, id: string, caller: Caller): void {
  const key = `${kind}:${id}`;
  if (completions.has(key)) return;
  const started = Date.now();
  const since = new Date(ctx.now()).toISOString();
  const stop = () => stopWatchingCompletion(kind, id);
  const timer = setInterval(() => {
    completionChecks[kind](ctx, caller, id, since)
      .then((done) => {
        if (done || Date.now() - started > WATCH_MAX_MS) stop();
      })
      .catch((error: unknown) => {
        console.error(
          JSON.stringify({
            level: 'error',
            event: 'completion_check_failed',
            task: key,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
        stop();
      });
  }, WATCH_INTERVAL_MS);
  timer.unref?.();
  completions.set(key, timer);
}

export function isWatchingCompletion(kind: Completion, id: string): boolean {
  return completions.has(`${kind}:${id}`);
}

export function stopWatchingCompletion(kind: Completion, id: string): void {
  clearInterval(completions.get(`${kind}:${id}`));
  completions.delete(`${kind}:${id}`);
}
