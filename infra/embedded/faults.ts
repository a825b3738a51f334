/**
 * The fault side of traffic + faults: the embedded downstream (settlement network, notifier)
 * behind its circuit breaker, and the outages the knobs inject on a saga step.
 */
import { CircuitBreaker } from '@/infra/runtime/policies/circuit-breaker';
import { StepError, type Downstream } from '@/infra/runtime/ports';
import { sagaErrors } from '@/infra/saga/definition';
import type { EngineContext } from './engine-context';

export class Faults {
  readonly breaker: CircuitBreaker;
  /** The step or compensation running now: the downstream's outage check names it. */
  currentStep: string | null = null;
  /** A second outage target, used only while seeding (the knob holds one). */
  extraOutage: string | null = null;

  readonly downstream: Downstream = {
    settle: (req) => this.callDownstream(() => ({ reference: `stl-${req.transactionId}` })),
    // A compensation is not held back by the breaker (on AWS the breaker stops starting sagas,
    // never a compensation): SettlePayment records its settlement PENDING before the network is
    // asked, so every saga of a settlement outage voids one, and must be able to.
    voidSettlement: (_req) => this.callDownstream(() => undefined, { bypassBreaker: true }),
    notify: (_req) => this.callDownstream(() => undefined),
  };

  constructor(private readonly ctx: EngineContext) {
    this.breaker = new CircuitBreaker({
      failureRateThreshold: 50,
      minimumCalls: 20,
      windowSize: 100,
      openMs: ctx.opts.breakerOpenMs,
      halfOpenMaxCalls: 3,
    });
  }

  isDown(step: string): boolean {
    return this.ctx.knobs.outageStep === step || this.extraOutage === step;
  }

  /** The embedded downstream answers synchronously, as every port of the embedded steps does (flow.ts). */
  private callDownstream<T>(fn: () => T, opts: { bypassBreaker?: boolean } = {}): T {
    const now = this.ctx.now();
    if (opts.bypassBreaker) {
      this.ctx.metricOutside('downstream.calls');
      if (this.currentStep !== null && this.isDown(this.currentStep)) {
        this.ctx.metricOutside('downstream.failures');
        throw new StepError(sagaErrors.transient, `downstream unavailable (outage injected on ${this.currentStep})`);
      }
      return fn();
    }
    if (!this.breaker.tryAcquire(now)) {
      this.ctx.metricOutside('downstream.rejected');
      throw new StepError(sagaErrors.transient, 'circuit breaker open: downstream not called');
    }
    this.ctx.metricOutside('downstream.calls');
    if (this.currentStep !== null && this.isDown(this.currentStep)) {
      this.ctx.metricOutside('downstream.failures');
      this.breaker.record(false, now);
      throw new StepError(sagaErrors.transient, `downstream unavailable (outage injected on ${this.currentStep})`);
    }
    this.breaker.record(true, now);
    return fn();
  }
}
