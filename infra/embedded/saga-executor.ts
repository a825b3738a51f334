/**
 * The saga runner's executor: runs a saga's steps (infra/saga/definition, with
 * infra/runtime/saga-steps) until it ends or waits for a retry, and its compensations when a step
 * failed for good. Synchronous: every port of the embedded steps answers with a value (flow.ts).
 */
import { settled } from '@/infra/runtime/flow';
import { errorNameOf, StepError, type StepDeps, type StepOutput } from '@/infra/runtime/ports';
import { retryDelaySeconds, runCompensation, runStep } from '@/infra/runtime/saga-steps';
import type { Transaction } from '@/infra/runtime/transaction';
import {
  compensationsFor,
  sagaDefinition,
  sagaErrors,
  type CompensationName,
  type RetryPolicy,
  type SagaStatus,
  type StepName,
} from '@/infra/saga/definition';
import type { EngineContext } from './engine-context';
import type { Faults } from './faults';
import type { SagaCursor } from './names';
import { attemptLogOf, derivedOutputOf, pendingRecord, type AttemptRecord, type TimelineRecord } from './saga-timeline';

export interface SagaRun {
  id: string;
  transaction: Transaction;
  status: SagaStatus;
  startedAt: number;
  endedAt: number | null;
  failedStep: string | null;
  error: string | null;
  steps: TimelineRecord[];
  cursor: SagaCursor;
  nextRunAt: number | null;
  ingestAt: number;
  isNew: boolean;
  initialStatus: SagaStatus | null;
}

export class SagaExecutor {
  private readonly stepDeps: StepDeps;

  constructor(
    private readonly ctx: EngineContext,
    private readonly faults: Faults,
  ) {
    this.stepDeps = { ledger: ctx.ledger, downstream: faults.downstream, now: () => ctx.now() };
  }

  /**
   * Runs the step or compensation to its end, synchronously: every port of the embedded steps
   * answers with a value (flow.ts), inside the batch's SQLite transaction.
   */
  private invoke(
    name: StepName | CompensationName,
    kind: 'step' | 'compensation',
    run: SagaRun,
    attempt: number,
  ): StepOutput {
    const isDownstream = name === 'SettlePayment' || name === 'Notify' || name === 'VoidSettlement';
    if (!isDownstream && this.faults.isDown(name))
      throw new StepError(sagaErrors.transient, `downstream unavailable (outage injected on ${name})`);
    const ctx = { sagaId: run.id, transaction: run.transaction, attempt };
    return settled(
      kind === 'step'
        ? runStep(name as StepName, ctx, this.stepDeps)
        : runCompensation(name as CompensationName, ctx, this.stepDeps),
      name,
    );
  }

  /**
   * One attempt of a step or compensation, recorded on its timeline entry. Returns 'done' when
   * it succeeded (the cursor moved on), 'retry' when it waits for its backoff (nextRunAt set), or
   * the error message when it failed for good (the entry is FAILED; the caller decides what
   * follows). Synchronous, as the embedded steps are (flow.ts): no promise per attempt.
   */
  private attemptOne(
    run: SagaRun,
    rec: SagaRun['steps'][number],
    name: StepName | CompensationName,
    kind: 'step' | 'compensation',
    retry: RetryPolicy,
    now: number,
  ): 'done' | 'retry' | { failed: string } {
    const c = run.cursor;
    rec.state = 'RUNNING';
    rec.startedAt ??= now;
    // Every attempt is kept, across retries and operator runs; c.attempt counts this run's retries only.
    const log = (rec.attemptLog ??= attemptLogOf(rec));
    const attempt: AttemptRecord = { startedAt: now, endedAt: null, error: null };
    log.push(attempt);
    rec.attempts = log.length;
    // currentStep names the step for the downstream's outage check while it runs.
    this.faults.currentStep = name;
    let out: StepOutput;
    try {
      out = this.invoke(name, kind, run, c.attempt);
    } catch (e) {
      this.faults.currentStep = null;
      const errorName = errorNameOf(e);
      const msg = `${errorName}: ${e instanceof Error ? e.message : String(e)}`;
      rec.error = msg;
      attempt.error = msg;
      attempt.endedAt = this.ctx.now();
      const delay = retryDelaySeconds(retry, c.attempt, errorName);
      if (delay !== null) {
        c.attempt++;
        run.nextRunAt = now + delay * 1000 * this.ctx.opts.retryTimeScale;
        return 'retry';
      }
      rec.state = 'FAILED';
      rec.endedAt = this.ctx.now();
      return { failed: msg };
    }
    this.faults.currentStep = null;
    rec.state = 'SUCCEEDED';
    const derived = derivedOutputOf(name, run.transaction, out);
    rec.output = derived ?? JSON.stringify(out);
    rec.outputDerived = derived !== null;
    // rec.error keeps the last failed attempt's error (the attempts log has every one).
    rec.endedAt = this.ctx.now();
    attempt.endedAt = rec.endedAt;
    c.index++;
    c.attempt = 1;
    return 'done';
  }

  /** Advances a saga until it ends or waits for a retry. Mutates `run`. */
  executeSaga(run: SagaRun): void {
    const steps = sagaDefinition.steps;
    run.nextRunAt = null;
    while (run.cursor.phase !== 'done') {
      const now = this.ctx.now();
      const c = run.cursor;
      if (c.phase === 'forward') {
        const def = steps[c.index];
        if (!def) {
          run.status = 'SUCCEEDED';
          run.endedAt = now;
          c.phase = 'done';
          break;
        }
        // Step records come first, in definition order: the cursor's index is the record's (checked).
        const at = run.steps[c.index];
        const rec =
          at?.kind === 'step' && at.name === def.name
            ? at
            : run.steps.find((r) => r.kind === 'step' && r.name === def.name)!;
        const result = this.attemptOne(run, rec, def.name, 'step', def.retry, now);
        if (result === 'retry') return;
        if (result !== 'done') {
          run.failedStep = def.name;
          run.error = result.failed;
          this.beginCompensation(run, compensationsFor(def.name));
        }
      } else {
        const name = c.comps[c.index];
        if (name === undefined) {
          run.status = 'COMPENSATED';
          run.endedAt = now;
          c.phase = 'done';
          break;
        }
        const rec = [...run.steps].reverse().find((r) => r.kind === 'compensation' && r.name === name)!;
        const result = this.attemptOne(run, rec, name, 'compensation', sagaDefinition.compensationRetry, now);
        if (result === 'retry') return;
        if (result !== 'done') {
          run.status = 'FAILED';
          run.error = `compensation ${name} failed: ${result.failed}`;
          run.endedAt = this.ctx.now();
          return; // stays in phase 'compensate' so an operator can resume it
        }
      }
    }
  }

  /** Switches the saga to compensation with the given compensations (in execution order). */
  beginCompensation(run: SagaRun, comps: CompensationName[]): void {
    run.status = 'COMPENSATING';
    run.cursor = { phase: 'compensate', index: 0, attempt: 1, comps };
    for (const name of comps) run.steps.push(pendingRecord(name, 'compensation'));
    for (const r of run.steps) if (r.kind === 'step' && r.state === 'PENDING') r.state = 'SKIPPED';
  }
}
