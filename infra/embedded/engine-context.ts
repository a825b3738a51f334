/**
 * The state one engine's loops share: the database, the clock, the stores' unit of work, the
 * counts, the counter metrics of the current write transaction, and the per-table counts
 * (queue_counts, saga_counts) written at COMMIT. Built by the composition root (engine.ts) and
 * handed to each loop; each loop owns everything else it needs (its statements, its timer).
 */
import type { SagaStatus } from '@/infra/saga/definition';
import type { Db } from './db';
import type { ResolvedEngineOptions } from './engine-options';
import type { SqliteLedgerStore } from './ledger-store';
import { minuteOf, type EngineCounts, type MetricCounters } from './metric-counters';
import { defaultTrafficKnobs, type TrafficKnobs } from './traffic.schema';
import type { SqliteTransactionIdempotencyStore } from './transaction-idempotency-store';
import type { UndoLog } from './undo-log';

/** Runs `fn` in one write transaction (Engine.tx, looked up on the engine at each call). */
export type RunInTx = <T>(fn: () => Promise<T> | T) => Promise<T>;

export class EngineContext {
  /** The knobs in force (traffic rate and faults). */
  knobs: TrafficKnobs = { ...defaultTrafficKnobs };
  /** Moves the clock (the seed runs in the simulated past). */
  clockOffset = 0;
  /** Set by the processor host while one message is processed: see now(). */
  messageNow: number | null = null;
  readonly counts: EngineCounts = {
    ingested: 0,
    rejected: 0,
    processed: 0,
    duplicates: 0,
    failedMessages: 0,
    deadLettered: 0,
    sagasEnded: 0,
  };
  /** Ingest-to-ledger latencies (ms) of sagas that ended, when trackLatency is on. */
  readonly latencies: number[] = [];
  readonly getMeta;
  readonly putMeta;
  private readonly queueCount;
  private readonly sagaCount;
  private readonly queueDelta = new Map<string, number>();
  private readonly sagaDelta = new Map<string, number>();

  constructor(
    readonly db: Db,
    readonly opts: ResolvedEngineOptions,
    private readonly baseClock: () => number,
    readonly ledger: SqliteLedgerStore,
    readonly idempotency: SqliteTransactionIdempotencyStore,
    readonly undo: UndoLog,
    readonly counters: MetricCounters,
    /** The engine's write transaction (Engine.tx). */
    readonly tx: RunInTx,
  ) {
    this.getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    this.putMeta = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.queueCount = db.prepare(
      'INSERT INTO queue_counts (queue, total) VALUES (?, ?) ON CONFLICT(queue) DO UPDATE SET total = total + excluded.total',
    );
    this.sagaCount = db.prepare(
      'INSERT INTO saga_counts (status, total) VALUES (?, ?) ON CONFLICT(status) DO UPDATE SET total = total + excluded.total',
    );
  }

  /**
   * The engine's clock. While a message is processed it reads the time the message started
   * (one clock read per message instead of one per step record, metric and ledger write).
   */
  now(): number {
    return this.messageNow ?? this.liveNow();
  }

  /** The clock itself, also while a message is processed. */
  liveNow(): number {
    return this.baseClock() + this.clockOffset;
  }

  /** The clock without the seed's offset. */
  realNow(): number {
    return this.baseClock();
  }

  /**
   * While the seed writes its history the engine's clock is in the simulated past: such lines say
   * when they happened on that clock, since the host stamps lines with the time they were written.
   */
  log(line: string): void {
    this.opts.log?.(
      this.clockOffset === 0 ? line : `${line} [seeded history at ${new Date(this.liveNow()).toISOString()}]`,
    );
  }

  /**
   * Counter metric (Sum per minute), flushed every second. Counted in a write transaction, it
   * counts only if the transaction commits (Engine.tx).
   */
  metric(id: string, delta = 1, at = this.now()): void {
    this.counters.add(id, minuteOf(at), delta);
  }

  /** A counter of what happened outside the database (a downstream call): counted even if the transaction rolls back. */
  metricOutside(id: string): void {
    this.counters.addOutside(id, minuteOf(this.now()));
  }

  bumpQueue(q: string, d: number): void {
    this.queueDelta.set(q, (this.queueDelta.get(q) ?? 0) + d);
  }

  bumpSaga(status: SagaStatus, d: number): void {
    this.sagaDelta.set(status, (this.sagaDelta.get(status) ?? 0) + d);
  }

  /** Writes the transaction's queue and saga count deltas (before its COMMIT). */
  flushDeltas(): void {
    for (const [q, d] of this.queueDelta) if (d !== 0) this.queueCount.run(q, d);
    for (const [st, d] of this.sagaDelta) if (d !== 0) this.sagaCount.run(st, d);
    this.clearDeltas();
  }

  clearDeltas(): void {
    this.queueDelta.clear();
    this.sagaDelta.clear();
  }
}
