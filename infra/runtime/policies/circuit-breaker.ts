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
  /** Sliding window of the last `windowSize` outcomes (1 = failure) as a ring buffer: record() runs on every call. */
  private readonly window: Uint8Array;
  private windowNext = 0;
  private windowLength = 0;
  private failuresInWindow = 0;
  private openedAt = 0;
  private trialsStarted = 0;
  private trialsSucceeded = 0;
  readonly transitions: BreakerTransition[] = [];

  constructor(readonly options: CircuitBreakerOptions = defaultBreakerOptions) {
    if (options.failureRateThreshold <= 0 || options.failureRateThreshold > 100)
      throw new RangeError('failureRateThreshold must be in (0, 100]');
    if (options.windowSize < options.minimumCalls) throw new RangeError('windowSize must be >= minimumCalls');
    this.window = new Uint8Array(options.windowSize);
  }

  /** Current state at `now` (open turns half-open once openMs has passed). */
  state(now: number): BreakerState {
    if (this.stateValue === 'open' && now - this.openedAt >= this.options.openMs)
      this.move('half-open', now, `open for ${this.options.openMs} ms: trying ${this.options.halfOpenMaxCalls} calls`);
    return this.stateValue;
  }

  /** Failure rate (percent) of the current window. */
  failureRate(): number {
    if (this.windowLength === 0) return 0;
    return (100 * this.failuresInWindow) / this.windowLength;
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
        this.clearWindow();
        this.move('closed', now, `${this.trialsSucceeded} trial calls succeeded`);
      }
      return;
    }
    if (s === 'open') return; // late result of a call started before opening
    const size = this.window.length;
    if (size === 0) return; // an empty window never reaches a failure rate
    if (this.windowLength === size)
      this.failuresInWindow -= this.window[this.windowNext]!; // the oldest drops out
    else this.windowLength++;
    this.window[this.windowNext] = success ? 0 : 1;
    if (!success) this.failuresInWindow++;
    this.windowNext = (this.windowNext + 1) % size;
    const rate = this.failureRate();
    if (this.windowLength >= this.options.minimumCalls && rate >= this.options.failureRateThreshold) {
      this.open(
        now,
        `failure rate ${rate.toFixed(1)}% over the last ${this.windowLength} calls >= ${this.options.failureRateThreshold}%`,
      );
    }
  }

  private clearWindow(): void {
    this.window.fill(0);
    this.windowNext = 0;
    this.windowLength = 0;
    this.failuresInWindow = 0;
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
