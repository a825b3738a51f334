import 'server-only';
import { alarmName } from '../../infra/platform/description';
import type { Caller } from '../auth/permissions.schema';
import type { RedriveTask } from '../platform/platform.schema';
import type { OpsContext } from './context';

/** The alarm that says a queue's consumer is failing: redriving into it only refills the DLQ. */
export function consumerErrorAlarm(ctx: OpsContext, _queueId: string): string {
  return alarmName(ctx.policy.stage, 'processor-errors');
}

export interface RedrivePause {
  reason: string;
  remaining: number;
  at: string;
}

export interface RedriveStatus {
  task: RedriveTask;
  pause: RedrivePause | null;
}

const WATCH_INTERVAL_MS = 5_000;
const WATCH_MAX_MS = 6 * 3_600_000;
const watched = new Map<string, ReturnType<typeof setInterval>>();

/**
 * The closed loop: if the consumer's error alarm went to ALARM after the redrive started,
 * cancel the redrive (the remainder stays in the DLQ, offered to resume) and audit why.
 * Called on every status poll and by a watcher in the console process.
 */
export async function checkRedrive(ctx: OpsContext, caller: Caller, id: string): Promise<RedriveStatus | null> {
  let task = await ctx.platform.getRedrive(caller, id);
  if (!task) return null;
  if (task.status === 'RUNNING') {
    const alarm = await ctx.platform.getAlarm(caller, consumerErrorAlarm(ctx, task.queueId));
    if (alarm && alarm.alarm.state === 'ALARM' && Date.parse(alarm.alarm.since) >= Date.parse(task.startedAt)) {
      task = await ctx.platform.cancelRedrive(caller, id);
      const pause: RedrivePause = {
        reason: `Paused: the ${alarm.alarm.name} alarm fired at ${alarm.alarm.since} during the redrive (${alarm.alarm.reason}). Redriving into a failing consumer only refills the DLQ; resume once the alarm is OK.`,
        remaining: Math.max(0, task.total - task.moved),
        at: new Date(ctx.now()).toISOString(),
      };
      ctx.audit.append(
        {
          requestId: `closed-loop-${id}`,
          actor: { id: 'system:closed-loop', name: 'Closed loop', role: caller.role },
          action: 'redrive.pause',
          outcome: 'paused',
          target: `redrive:${id}`,
          reason: pause.reason,
          inputs: { id, startedBy: caller.id },
          result: pause,
        },
        ctx.now(),
      );
      return { task, pause };
    }
  }
  return { task, pause: pauseOf(ctx, id) };
}

function pauseOf(ctx: OpsContext, id: string): RedrivePause | null {
  const entry = ctx.audit.list({ action: 'redrive.pause', q: `redrive:${id}`, limit: 1 }).items[0];
  return entry?.result ? (JSON.parse(entry.result) as RedrivePause) : null;
}

/** Watches a started redrive in this process until it ends (best effort; polls also check). */
export function watchRedrive(ctx: OpsContext, caller: Caller, id: string): void {
  if (watched.has(id)) return;
  const started = Date.now();
  const timer = setInterval(() => {
    checkRedrive(ctx, caller, id)
      .then((s) => {
        if (!s || s.task.status !== 'RUNNING' || Date.now() - started > WATCH_MAX_MS) stop();
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
        stop();
      });
  }, WATCH_INTERVAL_MS);
  timer.unref?.();
  watched.set(id, timer);
  function stop() {
    clearInterval(timer);
    watched.delete(id);
  }
}
