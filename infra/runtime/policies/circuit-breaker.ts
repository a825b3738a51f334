/**
 * Circuit breaker for downstream calls, as a pure state machine (the caller passes the clock).
 * - closed: calls pass; outcomes are kept in a sliding window of the last `windowSize` calls.
 *   When at least `minimumCalls` are in the window and the failure rate reaches
 *   `failureRateThreshold` percent, the breaker opens.
 * - open: calls are refused until `openMs` has passed, then the breaker goes half-open.
 * - half-open: up to `halfOpenMaxCalls` trial calls pass; if all of them succeed the breaker
 *   closes (window cleared), any failure re-opens it.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  failureRateThreshold: number; // percent, e.g. 50
  minimumCalls: number;
  windowSize: number;
  openMs: number;
  halfOpenMaxCalls: number;
}

export const defaultBreakerOptions: CircuitBreakerOptions = {
  failureRateThreshold: 50,
  minimumCalls: 10,
  windowSize: 50,
  openMs: 5_000,
  halfOpenMaxCalls: 3,
};

export interface BreakerTransition {
  from: BreakerState;
  to: BreakerState;
  at: number;
  reason: string;
}

export class CircuitBreaker {
  private stateValue: BreakerState = 'closed';
  private window: boolean[] = []; // true = failure
  private openedAt = 0;
  private trialsStarted = 0;
  private trialsSucceeded = 0;
  readonly transitions: BreakerTransition[] = [];

  constructor(readonly options: CircuitBreakerOptions = defaultBreakerOptions) {
    if (options.failureRateThreshold <= 0 || options.failureRateThreshold > 100)
      throw new RangeError('failureRateThreshold must be in (0, 100]');
    if (options.windowSize < options.minimumCalls) throw new RangeError('windowSize must be >= minimumCalls');
  }

  /** Current state at `now` (open turns half-open once openMs has passed). */
  state(now: number): BreakerState {
    if (this.stateValue === 'open' && now - this.openedAt >= this.options.openMs)
      this.move('half-open', now, `open for ${this.options.openMs} ms: trying ${this.options.halfOpenMaxCalls} calls`);
    return this.stateValue;
  }

  /** Failure rate (percent) of the current window. */
  failureRate(): number {
    if (this.window.length === 0) return 0;
    return (100 * this.window.filter(Boolean).length) / this.window.length;
  }

  /** Ask before calling: false means fail fast without calling the downstream. */
  tryAcquire(now: number): boolean {
    const s = this.state(now);
    if (s === 'closed') return true;
    if (s === 'open') return false;
    if (this.trialsStarted >= this.options.halfOpenMaxCalls) return false;
    this.trialsStarted++;
    return true;
  }

  /** Report the outcome of a call that tryAcquire allowed. */
  record(success: boolean, now: number): void {
    const s = this.state(now);
    if (s === 'half-open') {
      if (!success) return this.open(now, 'a trial call failed while half-open');
      this.trialsSucceeded++;
      if (this.trialsSucceeded >= this.options.halfOpenMaxCalls) {
        this.window = [];
        this.move('closed', now, `${this.trialsSucceeded} trial calls succeeded`);
      }
      return;
    }
    if (s === 'open') return; // late result of a call started before opening
    this.window.push(!success);
    if (this.window.length > this.options.windowSize) this.window.shift();
    const rate = this.failureRate();
    if (this.window.length >= this.options.minimumCalls && rate >= this.options.failureRateThreshold) {
      this.open(
        now,
        `failure rate ${rate.toFixed(1)}% over the last ${this.window.length} calls >= ${this.options.failureRateThreshold}%`,
      );
    }
  }

  private open(now: number, reason: string): void {
    this.openedAt = now;
    this.move('open', now, reason);
  }

  private move(to: BreakerState, at: number, reason: string): void {
    const from = this.stateValue;
    this.stateValue = to;
    this.trialsStarted = 0;
    this.trialsSucceeded = 0;
    this.transitions.push({ from, to, at, reason });
    if (this.transitions.length > 100) this.transitions.shift();
  }
}
