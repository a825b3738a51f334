/**
 * What the saga page says and offers, derived from the saga's CURRENT state (pure: the page,
 * the action panel and their tests read these). A failed attempt that later succeeded is history
 * on the timeline, never the saga's status.
 */
import type { SagaStatus } from '@/infra/saga/definition';
import type { SagaDetail, SagaStepRecord } from '@/server/platform/platform.schema';

/**
 * Which actions a saga in `status` offers. `compensate`: 'offer' as is, 'confirm' only behind an
 * explicit "reverse a completed payment" confirmation (the server requires it too), 'none'.
 */
export interface SagaActions {
  compensate: 'offer' | 'confirm' | 'none';
  resume: boolean;
}

export function sagaActionsFor(status: SagaStatus): SagaActions {
  switch (status) {
    case 'RUNNING':
      // Compensate aborts the running step; resume runs a retry that waits for its backoff now.
      return { compensate: 'offer', resume: true };
    case 'FAILED':
      // A compensation stopped: compensate (or resume) runs the rest of it.
      return { compensate: 'offer', resume: true };
    case 'SUCCEEDED':
      // Compensating refunds a completed payment.
      return { compensate: 'confirm', resume: false };
    case 'COMPENSATING':
      // Already compensating: resume only runs a waiting retry of the compensation now.
      return { compensate: 'none', resume: true };
    case 'COMPENSATED':
      return { compensate: 'none', resume: false };
  }
}

export interface SagaBanner {
  tone: 'danger' | 'warn' | 'info';
  title: string;
  detail: string | null;
}

const lastOf = (steps: SagaStepRecord[], f: (s: SagaStepRecord) => boolean) => steps.filter(f).at(-1);

/** The banner above the timeline: what is wrong (or was, and is now settled) right now; null when nothing. */
export function sagaBanner(saga: Pick<SagaDetail, 'status' | 'failedStep' | 'error' | 'steps'>): SagaBanner | null {
  const failedForward = lastOf(saga.steps, (s) => s.kind === 'step' && s.state === 'FAILED');
  const cause = saga.failedStep
    ? `${saga.failedStep} failed${failedForward?.error ? `: ${failedForward.error}` : ''}`
    : 'An operator asked for it';
  switch (saga.status) {
    case 'FAILED': {
      const stopped = lastOf(saga.steps, (s) => s.kind === 'compensation' && s.state === 'FAILED');
      if (stopped)
        return {
          tone: 'danger',
          title: `Compensation ${stopped.name} failed: the saga stopped half undone`,
          detail: `${stopped.error ?? 'no error recorded'}. ${cause}. Compensate (or resume) to run the rest.`,
        };
      return {
        tone: 'danger',
        title: saga.failedStep ? `${saga.failedStep} failed` : 'The saga failed',
        detail: saga.error ?? 'no error recorded',
      };
    }
    case 'COMPENSATING':
      return { tone: 'warn', title: 'Compensating: undoing the completed steps', detail: `${cause}.` };
    case 'COMPENSATED':
      return {
        tone: 'info',
        title: 'Compensated: every completed step was undone',
        detail: `${cause}. Earlier failed attempts are history on the timeline.`,
      };
    case 'RUNNING': {
      const retrying = lastOf(saga.steps, (s) => s.state === 'RUNNING' && s.error !== null);
      return retrying
        ? {
            tone: 'warn',
            title: `${retrying.name} is retrying (attempt ${retrying.attempts} failed)`,
            detail: retrying.error,
          }
        : null;
    }
    case 'SUCCEEDED':
      return null;
  }
}

/**
 * Every attempt of a step or compensation, as far as the timeline records them: how many ran
 * and how the last one ended (the platform keeps the last error only). Earlier attempts failed:
 * a step is retried only after a failure.
 */
export function attemptsOf(step: SagaStepRecord): { n: number; outcome: string }[] {
  const last = step.state === 'RUNNING' ? (step.error ? 'failed, retry waiting' : 'running') : step.state.toLowerCase();
  return Array.from({ length: step.attempts }, (_, i) => ({
    n: i + 1,
    outcome: i + 1 < step.attempts ? 'failed' : last,
  }));
}
