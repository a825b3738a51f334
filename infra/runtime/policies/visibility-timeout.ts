/**
 * Visibility-timeout policy for an SQS queue feeding a Lambda function.
 * AWS guidance: the queue's visibility timeout must be at least 6 × the function timeout
 * plus the batch window, or messages are re-delivered while still being processed; SQS
 * allows at most 12 hours (43,200 s). Within those bounds the timeout follows the observed
 * processing time: `headroom` × p99.
 */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

export interface VisibilityTimeoutInput {
  /** Observed processing time p99, seconds (null when there is no data yet). */
  observedP99Seconds: number | null;
  functionTimeoutSeconds: number;
  batchWindowSeconds: number;
  /** Multiplier applied to the p99 (default 6). */
  headroom?: number;
}

export interface VisibilityTimeoutDecision {
  timeoutSeconds: number;
  floorSeconds: number;
  /** Which bound applied, if any; 'floor' also when there was no observation. */
  clamped: 'floor' | 'ceiling' | null;
  reason: string;
}

export function visibilityTimeout(input: VisibilityTimeoutInput): VisibilityTimeoutDecision {
  const { observedP99Seconds: p99, functionTimeoutSeconds: fn, batchWindowSeconds: bw } = input;
  if (!(fn > 0)) throw new RangeError('functionTimeoutSeconds must be > 0');
  if (!(bw >= 0)) throw new RangeError('batchWindowSeconds must be >= 0');
  if (p99 !== null && !(p99 >= 0)) throw new RangeError('observedP99Seconds must be >= 0 or null');
  const headroom = input.headroom ?? 6;
  const floor = Math.min(Math.ceil(6 * fn + bw), MAX_VISIBILITY_TIMEOUT_SECONDS);
  if (p99 === null)
    return {
      timeoutSeconds: floor,
      floorSeconds: floor,
      clamped: 'floor',
      reason: `no observations: floor 6 × ${fn} s + ${bw} s`,
    };
  const wanted = Math.ceil(p99 * headroom);
  if (wanted < floor)
    return {
      timeoutSeconds: floor,
      floorSeconds: floor,
      clamped: 'floor',
      reason: `${headroom} × p99 = ${wanted} s is below the floor 6 × ${fn} s + ${bw} s = ${floor} s`,
    };
  if (wanted > MAX_VISIBILITY_TIMEOUT_SECONDS)
    return {
      timeoutSeconds: MAX_VISIBILITY_TIMEOUT_SECONDS,
      floorSeconds: floor,
      clamped: 'ceiling',
      reason: `${headroom} × p99 = ${wanted} s exceeds the SQS maximum ${MAX_VISIBILITY_TIMEOUT_SECONDS} s`,
    };
  return { timeoutSeconds: wanted, floorSeconds: floor, clamped: null, reason: `${headroom} × p99 (${p99} s)` };
}
