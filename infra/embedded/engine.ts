/**
 * The embedded platform's engine: the composition root of its loops, one module each —
 * bus + archive (bus.ts), queues + DLQ (queues.ts), the processor host (processor-host.ts), the
 * saga runner (saga-runner.ts, saga-executor.ts), message-move tasks (redrives.ts), replays
 * (replays.ts), metrics + alarms (metrics-alarms.ts), traffic + faults (traffic.ts, faults.ts) —
 * sharing one EngineContext (engine-context.ts), plus first-start seeding (seed.ts).
 *
 * One engine per database, in its own process (main.ts). Every unit of work is one SQLite
 * transaction (BEGIN IMMEDIATE ... COMMIT), so a SIGKILL at any moment loses or duplicates
 * nothing: uncommitted work is rolled back and redone from durable state. Operators' commands
 * arrive as rows (redrive_tasks, replays, sagas.next_run_at, settings, inbox) written by the
 * console's adapter.
 */
import path from 'node:path';
import type { CircuitBreaker } from '@/infra/runtime/policies/circuit-breaker';
import type { CompensationName } from '@/infra/saga/definition';
import { BusArchive, type PutEventsResult } from './bus';
import { startCheckpointer, type Checkpointer } from './checkpointer';
import { DB_FILE, openDatabase, type Db } from './db';
import { EngineContext } from './engine-context';
import { resolveEngineOptions, type EngineOptions } from './engine-options';
import { Faults } from './faults';
import { SqliteLedgerStore } from './ledger-store';
import { MetricCounters, type EngineCounts } from './metric-counters';
import { MetricsAlarms } from './metrics-alarms';
import { PROCESSING } from './names';
import { ParseCache } from './parse-cache';
import { ProcessorHost } from './processor-host';
import { Queues, type MessageRow } from './queues';
import { Redrives } from './redrives';
import { Replays } from './replays';
import { SagaExecutor, type SagaRun } from './saga-executor';
import { SagaRunner } from './saga-runner';
import { seedHistory } from './seed';
import { Traffic } from './traffic';
import type { TrafficKnobs } from './traffic.schema';
import { SqliteTransactionIdempotencyStore } from './transaction-idempotency-store';
import { UndoLog } from './undo-log';

/** SQLite's automatic checkpoint threshold (pages) when the background checkpointer runs. */
const WAL_FALLBACK_CHECKPOINT_PAGES = 16_384;
/** With the background checkpointer: write transactions between two WAL rewinds. */
const TX_PER_WAL_REWIND = 16;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Engine {
  readonly db: Db;
  readonly ledger: SqliteLedgerStore;
  readonly idempotency: SqliteTransactionIdempotencyStore;
  readonly breaker: CircuitBreaker;
  /** Ingest-to-ledger latencies (ms) of sagas that ended, when trackLatency is on. */
  readonly latencies: number[];
  readonly counts: EngineCounts;

  private readonly ctx: EngineContext;
  private readonly counters = new MetricCounters();
  private readonly bus: BusArchive;
  private readonly queues: Queues;
  private readonly processor: ProcessorHost;
  private readonly executor: SagaExecutor;
  private readonly sagas: SagaRunner;
  private readonly redrives: Redrives;
  private readonly replays: Replays;
  private readonly metrics: MetricsAlarms;
  private readonly traffic: Traffic;
  private readonly faults: Faults;
  private checkpointer: Checkpointer | null = null;
  private txSinceCheckpoint = 0;
  private readonly walCheckpoint;
  private lastMaintenanceAt = 0;
  private readonly pruneIdempotency;
  private stopped = false;
  private running: Promise<void> | null = null;

  constructor(options: EngineOptions) {
    const opts = resolveEngineOptions(options);
    this.db = openDatabase(options.dataDir);
    this.ledger = new SqliteLedgerStore(this.db);
    this.idempotency = new SqliteTransactionIdempotencyStore(this.db);
    const ctx = (this.ctx = new EngineContext(
      this.db,
      opts,
      options.clock ?? Date.now,
      this.ledger,
      this.idempotency,
      new UndoLog(),
      this.counters,
      // Looked up at each call: a test may wrap the engine's tx.
      (fn) => this.tx(fn),
    ));
    this.counts = ctx.counts;
    this.latencies = ctx.latencies;
    if (opts.backgroundCheckpoint) {
      // The thread checkpoints every 50 ms; SQLite's own automatic checkpoint stays as a fallback at 64 MiB.
      this.db.pragma(`wal_autocheckpoint = ${WAL_FALLBACK_CHECKPOINT_PAGES}`);
      this.checkpointer = startCheckpointer(path.join(options.dataDir, DB_FILE), 50, (l) => ctx.log(l));
    }
    this.walCheckpoint = this.db.prepare<[], { busy: number; log: number; checkpointed: number }>(
      'PRAGMA wal_checkpoint(PASSIVE)',
    );
    this.pruneIdempotency = this.db.prepare('DELETE FROM idempotency WHERE expiry_time < ?');
    const parseCache = new ParseCache();
    this.faults = new Faults(ctx);
    this.breaker = this.faults.breaker;
    this.bus = new BusArchive(ctx, parseCache);
    this.queues = new Queues(ctx);
    this.executor = new SagaExecutor(ctx, this.faults);
    this.sagas = new SagaRunner(ctx, this.executor);
    this.processor = new ProcessorHost(ctx, this.queues, this.sagas, parseCache);
    this.redrives = new Redrives(ctx);
    this.replays = new Replays(ctx, this.bus);
    this.metrics = new MetricsAlarms(ctx, this.queues);
    this.traffic = new Traffic(ctx, this.bus);
  }

  /** The knobs in force (traffic rate and faults). */
  get knobs(): TrafficKnobs {
    return this.ctx.knobs;
  }
  set knobs(knobs: TrafficKnobs) {
    this.ctx.knobs = knobs;
  }

  /** Current visibility timeout (s): fixed by the options, or set by the policy. */
  get visibilityTimeoutSeconds(): number {
    return this.queues.visibilityTimeoutSeconds;
  }
  set visibilityTimeoutSeconds(seconds: number) {
    this.queues.visibilityTimeoutSeconds = seconds;
  }

  /**
   * The engine's clock. While a message is processed it reads the time the message started
   * (one clock read per message instead of one per step record, metric and ledger write).
   */
  now(): number {
    return this.ctx.now();
  }

  // ------------------------------------------------------------------ transactions

  /** Runs `fn` in one IMMEDIATE transaction (or inside the current one). */
  async tx<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.db.inTransaction) return fn();
    if (this.checkpointer) this.finishCheckpoint();
    this.db.exec('BEGIN IMMEDIATE');
    const { ctx, counters } = this;
    // Unit of work: accounts, holds and new idempotency records are written once, before COMMIT.
    this.ledger.beginBatch(ctx.undo);
    this.idempotency.beginBatch(ctx.undo);
    const txCounts = counters.begin(this.counts, this.latencies.length);
    try {
      const r = await fn();
      this.ledger.flushBatch();
      this.idempotency.flushBatch();
      ctx.flushDeltas();
      this.db.exec('COMMIT');
      counters.keep(txCounts);
      return r;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      ctx.clearDeltas();
      Object.assign(this.counts, txCounts.countsBefore);
      this.latencies.length = Math.min(this.latencies.length, txCounts.latenciesBefore);
      throw e;
    } finally {
      counters.current = null;
      this.discardUnwritten();
      this.ledger.discardBatch();
      this.idempotency.discardBatch();
      ctx.undo.clear();
    }
  }

  /**
   * Ends the write transaction's engine-side state: rows still buffered for a multi-row INSERT
   * (only after a failure: every writer flushes its own before it returns), the parse results
   * waiting for their message ids, and the transaction's saga facts.
   */
  private discardUnwritten(): void {
    this.bus.discardUnwritten();
    this.sagas.discardUnwritten();
  }

  /**
   * With the background checkpointer: every few transactions, checkpoint the little the thread
   * has not copied yet, so that the next write transaction can rewind the WAL (SQLite restarts
   * the log only when a writer begins after a complete checkpoint). PASSIVE: returns at once if
   * the thread is checkpointing right now; tried again before the next transaction.
   */
  private finishCheckpoint(): void {
    if (++this.txSinceCheckpoint < TX_PER_WAL_REWIND) return;
    const r = this.walCheckpoint.get();
    if (r && r.busy === 0 && r.log === r.checkpointed) this.txSinceCheckpoint = 0;
  }

  /** Counter metric (Sum per minute): see EngineContext.metric. */
  metric(id: string, delta = 1, at = this.now()): void {
    this.ctx.metric(id, delta, at);
  }

  // ------------------------------------------------------------------ setup

  /** Opens the engine: applies start knobs, creates accounts and (on an empty database) seeds history. */
  async start(): Promise<void> {
    const { ctx, traffic } = this;
    traffic.readSettings(true);
    if (ctx.opts.traffic) traffic.applyStartKnobs(ctx.opts.traffic);
    const seeded = ctx.getMeta.get('seeded');
    if (!seeded) {
      await this.tx(() => traffic.createAccounts());
      if (ctx.opts.seed) {
        const { bus, queues, processor, sagas, faults, metrics } = this;
        await seedHistory({ ctx, traffic, bus, queues, processor, sagas, faults, metrics });
      }
      ctx.putMeta.run('seeded', new Date(this.now()).toISOString());
    }
    traffic.loadAccounts();
    ctx.log(`engine ready: ${traffic.accountCount} accounts, knobs ${JSON.stringify(ctx.knobs)}`);
  }

  // ------------------------------------------------------------------ the loops' verbs (documented in each loop)

  readSettings(force = false): void {
    this.traffic.readSettings(force);
  }
  setKnobs(patch: Partial<TrafficKnobs>): void {
    this.traffic.setKnobs(patch);
  }
  makeTraffic(n: number): unknown[] {
    return this.traffic.makeTraffic(n);
  }
  generate(maxBatch?: number): Promise<number> {
    return this.traffic.generate(maxBatch);
  }
  /** PutEvents (call inside tx()). */
  putEvents(entries: readonly unknown[], opts?: { replayName?: string; ingestAt?: number }): PutEventsResult {
    return this.bus.putEvents(entries, opts);
  }
  pumpInbox(limit?: number): Promise<number> {
    return this.bus.pumpInbox(limit);
  }
  receive(queue: string, max: number, mark?: boolean): MessageRow[] {
    return this.queues.receive(queue, max, mark);
  }
  processOnce(): Promise<number> {
    return this.processor.processOnce();
  }
  executeSaga(run: SagaRun): void {
    this.executor.executeSaga(run);
  }
  beginCompensation(run: SagaRun, comps: CompensationName[]): void {
    this.executor.beginCompensation(run, comps);
  }
  runDueSagas(limit?: number): Promise<number> {
    return this.sagas.runDueSagas(limit);
  }
  stepRedrives(): Promise<number> {
    return this.redrives.step();
  }
  stepReplays(limit?: number): Promise<number> {
    return this.replays.step(limit);
  }
  flushMetrics(): void {
    this.metrics.flush();
  }
  evaluateAlarms(): void {
    this.metrics.evaluate();
  }

  /** Archive retention, idempotency expiry, bounded side tables. */
  maintenance(): void {
    const now = this.now();
    this.db
      .transaction(() => {
        const cutoff = this.bus.pruneArchive(now);
        this.pruneIdempotency.run(Math.floor(now / 1000));
        this.bus.pruneRejected();
        this.metrics.prune(cutoff);
      })
      .immediate();
    this.lastMaintenanceAt = now;
  }

  // ------------------------------------------------------------------ loop

  /** One round of every loop. Returns true when there was work (the caller then does not sleep). */
  async tick(opts: { generate?: boolean; maxGenerate?: number } = {}): Promise<boolean> {
    // Every round: a knob the console set (e.g. a fault) applies before the events and commands it
    // wrote after it. One primary-key read; the JSON is parsed only when the row changed.
    this.traffic.readSettings();
    let work = 0;
    if (opts.generate !== false) work += await this.traffic.generate(opts.maxGenerate);
    work += await this.bus.pumpInbox();
    work += await this.processor.processOnce();
    work += await this.sagas.runDueSagas();
    work += await this.redrives.step();
    work += await this.replays.step();
    const t = this.now();
    this.metrics.onTick(t);
    if (t - this.lastMaintenanceAt >= 3_600_000) this.maintenance();
    return work > 0;
  }

  /** Runs the loop until stop(). */
  run(opts: { generate?: boolean; idleMs?: number } = {}): Promise<void> {
    this.stopped = false;
    this.running = (async () => {
      while (!this.stopped) {
        const busy = await this.tick(opts);
        if (!busy) await sleep(opts.idleMs ?? 20);
        else await new Promise<void>((r) => setImmediate(r));
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    this.running = null;
  }

  close(): void {
    void this.checkpointer?.stop();
    this.checkpointer = null;
    if (this.db.open) {
      try {
        this.metrics.flush();
      } finally {
        this.db.close();
      }
    }
  }

  /** Is there anything left to do now or later (queue messages, waiting sagas, tasks)? */
  pending(): { queued: number; waitingSagas: number; activeTasks: number; inbox: number } {
    const q =
      this.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM messages WHERE queue = ?').get(PROCESSING)
        ?.n ?? 0;
    const w =
      this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sagas WHERE next_run_at IS NOT NULL').get()?.n ?? 0;
    const r =
      this.db
        .prepare<[], { n: number }>(
          "SELECT (SELECT count(*) FROM redrive_tasks WHERE status IN ('RUNNING','CANCELLING')) + (SELECT count(*) FROM replays WHERE state IN ('STARTING','RUNNING','CANCELLING')) AS n",
        )
        .get()?.n ?? 0;
    const i = this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM inbox').get()?.n ?? 0;
    return { queued: q, waitingSagas: w, activeTasks: r, inbox: i };
  }

  /** Runs ticks (no generated traffic) until nothing is pending or the timeout passes. */
  async drain(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const busy = await this.tick({ generate: false });
      const p = this.pending();
      if (p.queued === 0 && p.waitingSagas === 0 && p.activeTasks === 0 && p.inbox === 0) return;
      if (Date.now() > deadline) throw new Error(`drain timed out: ${JSON.stringify(p)}`);
      if (!busy) await sleep(5);
    }
  }
}
