/**
 * Operator commands on a saga (compensate / resume), as pure planning over the stored saga
 * state. The adapter writes the planned state; the engine's saga loop (next_run_at) runs it.
 */
import { compensationsFor, sagaDefinition, type CompensationName, type SagaStatus } from '@/infra/saga/definition';
import type { SagaCursor } from './names';
import { pendingRecord, type TimelineRecord } from './saga-timeline';

export interface StoredSaga {
  status: SagaStatus;
  steps: TimelineRecord[]; // their attempts logs are kept: an operator's run adds to them
  cursor: SagaCursor;
  nextRunAt: number | null;
  failedStep: string | null;
  error: string | null;
}

export type CommandPlan =
  { ok: true; saga: StoredSaga; compensations: CompensationName[] } | { ok: false; reason: string };

/** Plans `mode` on a saga; `reason` is recorded on the timeline. */
export function planCommand(saga: StoredSaga, mode: 'compensate' | 'resume', reason: string, now: number): CommandPlan {
  const steps = saga.steps.map((s) => ({ ...s, ...(s.attemptLog ? { attemptLog: [...s.attemptLog] } : {}) }));
  const cursor: SagaCursor = { ...saga.cursor, comps: [...saga.cursor.comps] };
  const withComps = (comps: CompensationName[], failedStep: string | null, error: string | null): CommandPlan => {
    for (const name of comps) steps.push(pendingRecord(name, 'compensation'));
    for (const r of steps) if (r.kind === 'step' && r.state === 'PENDING') r.state = 'SKIPPED';
    return {
      ok: true,
      compensations: comps,
      saga: {
        status: 'COMPENSATING',
        steps,
        cursor: { phase: 'compensate', index: 0, attempt: 1, comps },
        nextRunAt: now,
        failedStep,
        error,
      },
    };
  };
  if (mode === 'compensate') {
    if (saga.status === 'SUCCEEDED') {
      const last = sagaDefinition.steps[sagaDefinition.steps.length - 1]!.name;
      const comps = [...compensationsFor(last)];
      const lastComp = sagaDefinition.steps[sagaDefinition.steps.length - 1]!.compensation;
      if (lastComp) comps.unshift(lastComp);
      return withComps(comps, null, `compensated by operator: ${reason}`);
    }
    if (saga.status === 'RUNNING' && cursor.phase === 'forward') {
      const current = sagaDefinition.steps[cursor.index];
      if (!current) return { ok: false, reason: 'the saga has no step left to abort' };
      const rec = steps.find((r) => r.kind === 'step' && r.name === current.name);
      if (rec && rec.state !== 'PENDING') {
        rec.state = 'FAILED';
        rec.endedAt = now;
        rec.error = `aborted by operator: ${reason}`;
      }
      return withComps(compensationsFor(current.name), current.name, `aborted by operator: ${reason}`);
    }
    if (saga.status === 'FAILED' && cursor.phase === 'compensate') {
      return {
        ok: true,
        compensations: cursor.comps.slice(cursor.index),
        saga: { ...saga, steps, status: 'COMPENSATING', cursor: { ...cursor, attempt: 1 }, nextRunAt: now },
      };
    }
    return { ok: false, reason: `a ${saga.status} saga cannot be compensated` };
  }
  // resume
  if (saga.status === 'FAILED' && cursor.phase === 'compensate') {
    return {
      ok: true,
      compensations: cursor.comps.slice(cursor.index),
      saga: { ...saga, steps, status: 'COMPENSATING', cursor: { ...cursor, attempt: 1 }, nextRunAt: now },
    };
  }
  if ((saga.status === 'RUNNING' || saga.status === 'COMPENSATING') && saga.nextRunAt !== null) {
    const comps = cursor.phase === 'compensate' ? cursor.comps.slice(cursor.index) : [];
    return { ok: true, compensations: comps, saga: { ...saga, steps, cursor, nextRunAt: now } };
  }
  return { ok: false, reason: `a ${saga.status} saga has nothing to resume` };
}
