/**
 * The engine's counter metrics and processing durations, per minute, waiting for the metrics
 * loop (metrics-loop.ts) to write them. What a write transaction counts is kept apart until it
 * commits, with the engine's counts and latencies as they were when it began: a rolled-back batch
 * then counts nothing, and its messages, processed again one by one, count once.
 */
/** What the engine counted since it started (Engine.counts). */
export interface EngineCounts {
  ingested: number;
  rejected: number;
  processed: number;
  duplicates: number;
  failedMessages: number;
  deadLettered: number;
  sagasEnded: number;
}

export const minuteOf = (ms: number) => Math.floor(ms / 60_000);

/** What one write transaction counted (MetricCounters.current). */
export interface TxCounts {
  sums: Map<string, Map<number, number>>; // metric -> minute -> delta
  durations: { minute: number; ms: number[] }[];
  countsBefore: EngineCounts;
  latenciesBefore: number;
}

function addSum(sums: Map<string, Map<number, number>>, id: string, minute: number, delta: number): void {
  let byMinute = sums.get(id);
  if (!byMinute) sums.set(id, (byMinute = new Map<number, number>()));
  byMinute.set(minute, (byMinute.get(minute) ?? 0) + delta);
}

export class MetricCounters {
  /** Committed counter metrics: metric -> minute -> delta. */
  readonly pendingSums = new Map<string, Map<number, number>>();
  /** Committed processing durations: minute -> ms. */
  readonly durations = new Map<number, number[]>();
  /** What the current write transaction counted; null outside Engine.tx. */
  current: TxCounts | null = null;

  /** Counted in a write transaction, it counts only if the transaction commits. */
  add(id: string, minute: number, delta: number): void {
    addSum(this.current?.sums ?? this.pendingSums, id, minute, delta);
  }

  /** Counted even if the transaction rolls back. */
  addOutside(id: string, minute: number): void {
    addSum(this.pendingSums, id, minute, 1);
  }

  /** Starts counting a write transaction apart. */
  begin(counts: EngineCounts, latencies: number): TxCounts {
    return (this.current = { sums: new Map(), durations: [], countsBefore: { ...counts }, latenciesBefore: latencies });
  }

  /** A committed transaction's counter metrics and durations join those waiting for the flush. */
  keep(tx: TxCounts): void {
    for (const [id, byMinute] of tx.sums) for (const [m, v] of byMinute) addSum(this.pendingSums, id, m, v);
    for (const { minute, ms } of tx.durations) {
      const list = this.durations.get(minute);
      if (list) for (const d of ms) list.push(d);
      else this.durations.set(minute, ms);
    }
    tx.sums.clear();
    tx.durations.length = 0;
  }
}

/** The p-th percentile of an ascending list (0 when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
