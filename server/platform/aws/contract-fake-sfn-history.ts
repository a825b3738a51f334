import 'server-only';
import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import {
  COMPENSATED_STATE,
  compensationsFor,
  compensationStateName,
  gateStateName,
  PREPARE_COMPENSATION_STATE,
  SAGA_COMPENSATED_ERROR,
  sagaDefinition,
  stepNames,
  type CompensationName,
  type StepName,
} from '../../../infra/saga/definition';

/**
 * Execution histories of the payment saga's state machine (infra/lib/constructs/saga-asl.ts) in
 * the shape GetExecutionHistory returns them: `Mode` (Choice), Lambda Task states
 * (TaskStateEntered, LambdaFunctionScheduled/Started/Succeeded or Failed per attempt,
 * TaskStateExited), `If<Step>Completed` gates between compensations, the `Compensated` Fail
 * state and ExecutionFailed with its error. Each event is `STEP_MS` after the previous one:
 * a planned execution whose later events are still in the future is RUNNING.
 */
export const STEP_MS = 150;

export type SagaPlan =
  | { kind: 'succeeds' }
  | { kind: 'fails'; at: StepName }
  | { kind: 'stops-at'; at: StepName }
  | { kind: 'stops-compensating'; at: StepName }
  | { kind: 'compensation-mode'; steps: StepName[] };

class Builder {
  readonly events: HistoryEvent[] = [];
  private t: number;
  constructor(
    start: number,
    private readonly lambdaArn: (name: string) => string,
  ) {
    this.t = start;
  }
  add(type: HistoryEventType, details: Partial<HistoryEvent> = {}): void {
    const id = this.events.length + 1;
    this.events.push({ id, previousEventId: id - 1, type, timestamp: new Date(this.t), ...details });
    this.t += STEP_MS;
  }
  enter(kind: 'Task' | 'Choice' | 'Pass' | 'Fail', name: string, input: string): void {
    this.add(`${kind}StateEntered`, { stateEnteredEventDetails: { name, input, inputDetails: { truncated: false } } });
  }
  exit(kind: 'Task' | 'Choice' | 'Pass', name: string, output: string): void {
    this.add(`${kind}StateExited`, { stateExitedEventDetails: { name, output, outputDetails: { truncated: false } } });
  }
  /** One Lambda Task: its attempts (the last one as `ok`), then its exit unless it failed for good. */
  task(state: string, fn: string, input: string, ok: boolean, failedAttempts: number): string {
    this.enter('Task', state, input);
    const output = JSON.stringify({ done: state, at: new Date(this.t).toISOString() });
    for (let attempt = 0; attempt <= failedAttempts; attempt++) {
      const last = attempt === failedAttempts;
      this.add('LambdaFunctionScheduled', {
        lambdaFunctionScheduledEventDetails: { resource: this.lambdaArn(fn), input, timeoutInSeconds: 30 },
      });
      this.add('LambdaFunctionStarted');
      if (last && ok) this.add('LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: { output } });
      else
        this.add('LambdaFunctionFailed', {
          lambdaFunctionFailedEventDetails: { error: 'TransientError', cause: `${fn}: settlement network timeout` },
        });
    }
    if (ok) this.exit('Task', state, output);
    return output;
  }
}

/** The history of a saga execution (main or compensation mode) started at `start` with `input`. */
export function sagaHistory(
  plan: SagaPlan,
  start: number,
  input: string,
  lambdaArn: (name: string) => string,
): HistoryEvent[] {
  const b = new Builder(start, lambdaArn);
  b.add('ExecutionStarted', {
    executionStartedEventDetails: { input, inputDetails: { truncated: false } },
  });
  b.enter('Choice', 'Mode', input);
  b.exit('Choice', 'Mode', input);
  const compensate = (chain: CompensationName[], stopAfter: number | null) => {
    for (const [i, c] of chain.entries()) {
      const step = sagaDefinition.steps.find((s) => s.compensation === c)!.name;
      b.enter('Choice', gateStateName(step), input);
      b.exit('Choice', gateStateName(step), input);
      if (stopAfter !== null && i >= stopAfter) {
        b.enter('Task', compensationStateName(c), input);
        return;
      }
      b.task(compensationStateName(c), c, input, true, 0);
    }
    b.enter('Fail', COMPENSATED_STATE, input);
    b.add('ExecutionFailed', {
      executionFailedEventDetails: {
        error: SAGA_COMPENSATED_ERROR,
        cause: 'A step failed for good; it and the completed steps were compensated in reverse order',
      },
    });
  };
  if (plan.kind === 'compensation-mode') {
    b.enter('Pass', PREPARE_COMPENSATION_STATE, input);
    b.exit('Pass', PREPARE_COMPENSATION_STATE, input);
    const chain = [...plan.steps]
      .reverse()
      .map((s) => sagaDefinition.steps.find((d) => d.name === s)?.compensation)
      .filter((c): c is CompensationName => !!c);
    compensate(chain, null);
    return b.events;
  }
  for (const step of stepNames) {
    const failing = (plan.kind === 'fails' || plan.kind === 'stops-compensating') && plan.at === step;
    if (plan.kind === 'stops-at' && plan.at === step) {
      b.enter('Task', step, input);
      b.add('LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: { resource: lambdaArn(step), input } });
      return b.events;
    }
    b.task(step, step, input, !failing, failing ? 3 : step === 'SettlePayment' ? 1 : 0);
    if (failing) {
      compensate(compensationsFor(step), plan.kind === 'stops-compensating' ? 1 : null);
      return b.events;
    }
  }
  b.add('SucceedStateEntered', { stateEnteredEventDetails: { name: 'Completed', input } });
  b.add('ExecutionSucceeded', {
    executionSucceededEventDetails: { output: input, outputDetails: { truncated: false } },
  });
  return b.events;
}
