import 'server-only';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import {
  COMPENSATED_STATE,
  COMPENSATION_STATE_PREFIX,
  compensationNames,
  gateStateName,
  PREPARE_COMPENSATION_STATE,
  stepNames,
} from '../../../infra/saga/definition';
import type { SagaStepRecord } from '../platform.schema';
import { iso } from './clients';

/**
 * A Step Functions execution history (oldest first) read as the saga's step and compensation
 * records. State names come from infra/saga/definition.ts: steps by name, compensations as
 * `compensationStateName(<Name>)`. Pure: no AWS calls.
 */

/** A step's or compensation's record, with what parsing needs of its latest task attempt. */
export interface HistoryRecord extends SagaStepRecord {
  lastAttempt: 'ok' | 'failed' | null;
  taskOutput: string | null;
}

export interface ParsedHistory {
  records: HistoryRecord[];
  /** The task that was running when the history ends (null if none). */
  current: HistoryRecord | null;
}

function taskOf(stateName: string): { name: string; kind: 'step' | 'compensation' } | null {
  if ((stepNames as readonly string[]).includes(stateName)) return { name: stateName, kind: 'step' };
  if (stateName.startsWith(COMPENSATION_STATE_PREFIX)) {
    const c = stateName.slice(COMPENSATION_STATE_PREFIX.length);
    if ((compensationNames as readonly string[]).includes(c)) return { name: c, kind: 'compensation' };
  }
  return null;
}

/**
 * True when `stateName` belongs to the compensation chain: the entry of a compensation-mode run,
 * a compensation task, a gate in front of one (`If<Step>Completed`) or the final Fail state. (A
 * prefix test is not enough: the Fail state `Compensated` also starts with `Compensate`, and the
 * gates do not.)
 */
export function isCompensationState(stateName: string | null | undefined): boolean {
  if (!stateName) return false;
  if (stateName === COMPENSATED_STATE || stateName === PREPARE_COMPENSATION_STATE) return true;
  if (taskOf(stateName)?.kind === 'compensation') return true;
  return stepNames.some((step) => gateStateName(step) === stateName);
}

export function errorText(d: { error?: string; cause?: string } | undefined): string {
  if (!d) return 'failed';
  return [d.error, d.cause].filter(Boolean).join(': ') || 'failed';
}

/** Ends the latest attempt of `rec` (a TaskSucceeded/TaskFailed or the state's end). */
function endAttempt(rec: HistoryRecord, at: Date | undefined, error: string | null, failed: boolean) {
  const a = rec.attemptsDetail?.at(-1);
  if (!a || a.outcome !== 'running') return;
  a.outcome = failed ? 'failed' : 'succeeded';
  a.endedAt = at ? iso(at) : a.endedAt;
  a.error = error;
}

/**
 * Maps an execution history (oldest first) to step/compensation records. Every TaskScheduled of
 * a state is an attempt (retries and redrives alike): each is kept in `attemptsDetail`.
 */
export function parseHistory(events: HistoryEvent[]): ParsedHistory {
  const records = new Map<string, HistoryRecord>();
  let current: HistoryRecord | null = null;
  const close = (at: Date | undefined, failed: boolean) => {
    if (!current) return;
    current.state = failed || current.lastAttempt === 'failed' ? 'FAILED' : 'SUCCEEDED';
    endAttempt(current, at, null, current.state === 'FAILED');
    current.endedAt = at ? iso(at) : current.endedAt;
    if (current.state === 'SUCCEEDED') current.error = null;
    current = null;
  };
  for (const e of events) {
    const type = e.type ?? '';
    if (type.endsWith('StateEntered')) {
      close(e.timestamp, false);
      const task = taskOf(e.stateEnteredEventDetails?.name ?? '');
      if (!task) continue;
      const key = `${task.kind}:${task.name}`;
      const rec: HistoryRecord = records.get(key) ?? {
        name: task.name,
        kind: task.kind,
        state: 'RUNNING',
        attempts: 0,
        startedAt: e.timestamp ? iso(e.timestamp) : null,
        endedAt: null,
        input: e.stateEnteredEventDetails?.input ?? null,
        output: null,
        error: null,
        attemptsDetail: [],
        lastAttempt: null,
        taskOutput: null,
      };
      rec.state = 'RUNNING';
      rec.endedAt = null;
      records.delete(key);
      records.set(key, rec); // re-entered (redrive): keep its place at the end of the execution order
      current = rec;
      continue;
    }
    const rec: HistoryRecord | null = current;
    switch (type) {
      case 'LambdaFunctionScheduled':
      case 'TaskScheduled':
        if (rec) {
          rec.attempts++;
          const startedAt = e.timestamp ? iso(e.timestamp) : null;
          (rec.attemptsDetail ??= []).push({
            n: rec.attempts,
            startedAt,
            endedAt: null,
            outcome: 'running',
            error: null,
          });
        }
        break;
      case 'LambdaFunctionSucceeded':
        if (rec) {
          rec.lastAttempt = 'ok';
          rec.taskOutput = e.lambdaFunctionSucceededEventDetails?.output ?? null;
          endAttempt(rec, e.timestamp, null, false);
        }
        break;
      case 'TaskSucceeded':
        if (rec) {
          rec.lastAttempt = 'ok';
          rec.taskOutput = e.taskSucceededEventDetails?.output ?? null;
          endAttempt(rec, e.timestamp, null, false);
        }
        break;
      case 'LambdaFunctionFailed':
      case 'LambdaFunctionTimedOut':
      case 'LambdaFunctionStartFailed':
      case 'LambdaFunctionScheduleFailed':
      case 'TaskFailed':
      case 'TaskTimedOut':
      case 'TaskStartFailed':
      case 'TaskSubmitFailed':
        if (rec) {
          rec.lastAttempt = 'failed';
          rec.error = errorText(
            e.lambdaFunctionFailedEventDetails ??
              e.lambdaFunctionTimedOutEventDetails ??
              e.lambdaFunctionStartFailedEventDetails ??
              e.lambdaFunctionScheduleFailedEventDetails ??
              e.taskFailedEventDetails ??
              e.taskTimedOutEventDetails ??
              e.taskStartFailedEventDetails ??
              e.taskSubmitFailedEventDetails,
          );
          endAttempt(rec, e.timestamp, rec.error, true);
        }
        break;
      case 'TaskStateExited':
        if (rec) {
          rec.output = rec.taskOutput ?? e.stateExitedEventDetails?.output ?? null;
          close(e.timestamp, false);
        }
        break;
      case 'ExecutionFailed':
      case 'ExecutionAborted':
      case 'ExecutionTimedOut':
        close(e.timestamp, true);
        break;
      case 'ExecutionSucceeded':
        close(e.timestamp, false);
        break;
      default:
        break;
    }
  }
  for (const r of records.values()) if (r.state !== 'RUNNING' && r.output === null) r.output = r.taskOutput;
  return { records: [...records.values()], current };
}
