/**
 * The embedded platform's engine: bus + rules + archive, queues (visibility timeout, receive
 * counts, redrive to the DLQ), the processor (infra/runtime/processor), the saga engine
 * (infra/saga/definition executed with infra/runtime/saga-steps), message-move tasks,
 * replays, per-minute metrics, alarms, the traffic generator and first-start seeding.
 *
 * One engine per database, in its own process (engine/main.ts). Every unit of work is one
 * SQLite transaction (BEGIN IMMEDIATE ... COMMIT), so a SIGKILL at any moment loses or
 * duplicates nothing: uncommitted work is rolled back and redone from durable state.
 * Operators' commands arrive as rows (redrive_tasks, replays, sagas.next_run_at, settings,
 * inbox) written by the console's adapter.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { alarmName, ARCHIVE_RETENTION_DAYS, eventSources, MAX_RECEIVE_COUNT } from '@/infra/platform/description';
import { matchesPattern, type EventPattern } from '@/infra/runtime/event-pattern';
import { settled } from '@/infra/runtime/flow';
import { CircuitBreaker } from '@/infra/runtime/policies/circuit-breaker';
import { visibilityTimeout } from '@/infra/runtime/policies/visibility-timeout';
import {
  errorNameOf,
  StepError,
  type Downstream,
  type LedgerStore,
  type StepDeps,
  type StepOutput,
} from '@/infra/runtime/ports';
import { PoisonMessageError, processMessage, type ProcessorDeps } from '@/infra/runtime/processor';
import { retryDelaySeconds, runCompensation, runStep } from '@/infra/runtime/saga-steps';
import {
  parseEnvelope,
  parseTransactionEvent,
  transactionEnvelope,
  transactionEventOf,
  type EventEnvelope,
  type ParseResult,
  type Transaction,
  type TransactionEvent,
} from '@/infra/runtime/transaction';
import {
  compensationsFor,
  sagaDefinition,
  sagaErrors,
  type CompensationName,
  type RetryPolicy,
  type SagaStatus,
  type StepName,
} from '@/infra/saga/definition';
import { evaluateAlarm, type AlarmStateValue } from './alarms';
import { startCheckpointer, type Checkpointer } from './checkpointer';
import { BUS_DLQ, DB_FILE, dlqOf, openDatabase, type Db } from './db';
import {
  LOCAL_ALARMS,
  LOCAL_FUNCTION_TIMEOUT_SECONDS,
  NAMES,
  PROCESSING,
  STAGE,
  type SagaCursor,
  type StepRecord,
} from './names';
import { makeQueueStats } from './queries';
import { RowBatch } from './row-batch';
import { decodeTimeline, derivedOutputOf, encodeTimeline, pendingRecord } from './saga-timeline';
import { SqliteIdempotencyStore, SqliteLedgerStore, UndoLog } from './stores';
import { defaultTrafficKnobs, trafficKnobsSchema, type TrafficKnobs } from './traffic.schema';

/** Bound of the processor's cache of parse results from ingest (entries). */
const PARSED_CACHE_MAX = 200_000;
/** SQLite's automatic checkpoint threshold (pages) when the background checkpointer runs. */
const WAL_FALLBACK_CHECKPOINT_PAGES = 16_384;
/** With the background checkpointer: write transactions between two WAL rewinds. */
const TX_PER_WAL_REWIND = 16;

export interface EngineOptions {
  dataDir: string;
  /** Clock (epoch ms); tests and seeding move it. */
  clock?: () => number;
  /** Processor batch size (messages per SQLite transaction). */
  batchSize?: number;
  /**
   * Visibility timeout of a received message (seconds). When absent it follows the
   * visibility-timeout policy from the observed batch processing time p99 (re-evaluated each flush).
   */
  visibilityTimeoutSeconds?: number;
  /** After a failed message: visible again after this many ms (ChangeMessageVisibility). */
  failureRetryDelayMs?: number;
  /** Multiplies the saga's retry backoff (1 = the definition's seconds). */
  retryTimeScale?: number;
  /** Knobs to apply at start (override the stored ones). */
  traffic?: Partial<TrafficKnobs>;
  /** Seed accounts and history on an empty database (default true). */
  seed?: boolean;
  /** Number of regular accounts to create on an empty database. */
  accounts?: number;
  /** How long the downstream circuit breaker stays open (ms, default 5000). */
  breakerOpenMs?: number;
  /** Keep ingest-to-ledger latencies in memory (benches). */
  trackLatency?: boolean;
  /**
   * Checkpoint the WAL from a background thread (see checkpointer.ts) instead of inside the
   * engine's COMMITs. The engine process and the benches turn it on; default off (tests).
   */
  backgroundCheckpoint?: boolean;
  log?: (line: string) => void;
}

interface SagaRun {
  id: string;
  transaction: Transaction;
  status: SagaStatus;
  startedAt: number;
  endedAt: number | null;
  failedStep: string | null;
  error: string | null;
  steps: StepRecord[];
  cursor: SagaCursor;
  nextRunAt: number | null;
  ingestAt: number;
  isNew: boolean;
  initialStatus: SagaStatus | null;
}

interface SagaRow {
  id: string;
  status: SagaStatus;
  started_at: number;
  ended_at: number | null;
  failed_step: string | null;
  error: string | null;
  input: string;
  steps: string;
  cursor: string;
  next_run_at: number | null;
  ingest_at: number;
}

interface ArchiveRow {
  seq: number;
  time: number;
  event_id: string;
  source: string;
  detail_type: string;
  transaction_id: string | null;
  body: string;
}

interface MessageRow {
  id: number;
  queue: string;
  body: string;
  receive_count: number;
  ingest_at: number;
  transaction_id: string | null;
}

/** The error of a valid message while the processor outage fault is on (retriable: redrive it after). */
export class ProcessorOutageError extends Error {
  constructor() {
    super('processor unavailable (outage injected): the message was not processed and will be retried');
    this.name = 'ProcessorOutage';
  }
}

const TERMINAL: ReadonlySet<SagaStatus> = new Set(['SUCCEEDED', 'COMPENSATED', 'FAILED']);
const minuteOf = (ms: number) => Math.floor(ms / 60_000);

/** What one write transaction counted (Engine.txCounts). */
interface TxCounts {
  sums: Map<string, Map<number, number>>; // metric -> minute -> delta
  durations: { minute: number; ms: number[] }[];
  countsBefore: Engine['counts'];
  latenciesBefore: number;
}

function addSum(sums: Map<string, Map<number, number>>, id: string, minute: number, delta: number): void {
  let byMinute = sums.get(id);
  if (!byMinute) sums.set(id, (byMinute = new Map<number, number>()));
  byMinute.set(minute, (byMinute.get(minute) ?? 0) + delta);
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Deterministic-enough PRNG (mulberry32) so traffic is reproducible per seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Engine {
  readonly db: Db;
  readonly ledger: SqliteLedgerStore;
  readonly idempotency: SqliteIdempotencyStore;
  knobs: TrafficKnobs = { ...defaultTrafficKnobs };
  readonly breaker: CircuitBreaker;
  /** Ingest-to-ledger latencies (ms) of sagas that ended, when trackLatency is on. */
  readonly latencies: number[] = [];
  readonly counts = {
    ingested: 0,
    rejected: 0,
    processed: 0,
    duplicates: 0,
    failedMessages: 0,
    deadLettered: 0,
    sagasEnded: 0,
  };

  private readonly opts: Required<Omit<EngineOptions, 'traffic' | 'clock' | 'log' | 'visibilityTimeoutSeconds'>> &
    Pick<EngineOptions, 'traffic' | 'log' | 'visibilityTimeoutSeconds'>;
  /** Current visibility timeout (s): fixed by the options, or set by the policy. */
  visibilityTimeoutSeconds: number;
  private checkpointer: Checkpointer | null = null;
  private txSinceCheckpoint = 0;
  private readonly batchDurations: number[] = [];
  /** Undo entries of the stores' unit of work, marked at each message's savepoint. */
  private readonly undo = new UndoLog();
  private clockOffset = 0;
  private readonly baseClock: () => number;
  private readonly s;
  private readonly queueStats;
  private rules: { name: string; pattern: EventPattern; target: string; headerOnly: boolean }[] = [];
  private readonly rand = prng(Date.now() & 0xffffffff);
  private regularAccounts: string[] = [];
  private lowAccounts: string[] = [];
  private recentTx: Transaction[] = [];
  private genCarry = 0;
  private lastGenAt = 0;
  private settingsVersion = -1;
  private lastFlushAt = 0;
  private lastAlarmAt = 0;
  private lastMaintenanceAt = 0;
  private currentStep: string | null = null;
  /** Set by processBatch while one message is processed: see now(). */
  private messageNow: number | null = null;
  /** Per rate-limited redrive task: its unspent tokens at `at` (see redriveTokens). */
  private readonly redriveBuckets = new Map<string, { at: number; tokens: number }>();
  /** Saga rows written (inserted or updated) so far: see processBatch. */
  private sagaWrites = 0;
  /** A second outage target, used only while seeding (the knob holds one). */
  private extraOutage: string | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  // metric accumulators
  private readonly pendingSums = new Map<string, Map<number, number>>(); // metric -> minute -> delta
  private readonly durations = new Map<number, number[]>(); // minute -> processing ms
  /**
   * What the current write transaction counted, kept apart until it commits (tx): counter
   * metrics and processing durations (per minute), with the engine's counts and latencies as
   * they were when it began. A rolled-back batch then counts nothing, and its messages, processed
   * again one by one, count once. Null outside tx().
   */
  private txCounts: TxCounts | null = null;
  private readonly queueDelta = new Map<string, number>();
  private readonly sagaDelta = new Map<string, number>();

  constructor(options: EngineOptions) {
    this.opts = {
      dataDir: options.dataDir,
      batchSize: options.batchSize ?? 500,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
      failureRetryDelayMs: options.failureRetryDelayMs ?? 1000,
      retryTimeScale: options.retryTimeScale ?? 1,
      seed: options.seed ?? true,
      accounts: options.accounts ?? 200,
      trackLatency: options.trackLatency ?? false,
      backgroundCheckpoint: options.backgroundCheckpoint ?? false,
      breakerOpenMs: options.breakerOpenMs ?? 5_000,
      traffic: options.traffic,
      log: options.log,
    };
    this.baseClock = options.clock ?? Date.now;
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? this.policyTimeout(null);
    this.breaker = new CircuitBreaker({
      failureRateThreshold: 50,
      minimumCalls: 20,
      windowSize: 100,
      openMs: this.opts.breakerOpenMs,
      halfOpenMaxCalls: 3,
    });
    this.db = openDatabase(options.dataDir);
    if (this.opts.backgroundCheckpoint) {
      // The thread checkpoints every 50 ms; SQLite's own automatic checkpoint stays as a fallback at 64 MiB.
      this.db.pragma(`wal_autocheckpoint = ${WAL_FALLBACK_CHECKPOINT_PAGES}`);
      this.checkpointer = startCheckpointer(path.join(options.dataDir, DB_FILE), 50, (l) => this.log(l));
    }
    this.ledger = new SqliteLedgerStore(this.db);
    this.idempotency = new SqliteIdempotencyStore(this.db);
    this.queueStats = makeQueueStats(this.db);
    const db = this.db;
    this.s = {
      walCheckpoint: db.prepare<[], { busy: number; log: number; checkpointed: number }>(
        'PRAGMA wal_checkpoint(PASSIVE)',
      ),
      getSetting: db.prepare<[string], { value: string; updated_at: number }>(
        'SELECT value, updated_at FROM settings WHERE key = ?',
      ),
      putSetting: db.prepare(
        'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      putMeta: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      // Multi-row INSERTs (row-batch.ts): putEvents and putReplayed flush them before they return.
      archiveRows: new RowBatch(
        db,
        'INSERT INTO archive (event_id, time, source, detail_type, transaction_id, body, ingested_at)',
        7,
      ),
      archiveStats: db.prepare(
        'INSERT INTO archive_stats (archive, event_count, size_bytes) VALUES (?, ?, ?) ON CONFLICT(archive) DO UPDATE SET event_count = event_count + excluded.event_count, size_bytes = size_bytes + excluded.size_bytes',
      ),
      insertRejected: db.prepare('INSERT INTO rejected_events (at, code, reason, excerpt) VALUES (?, ?, ?, ?)'),
      messageRows: new RowBatch(
        db,
        'INSERT INTO messages (queue, body, attributes, transaction_id, sent_at, enqueued_at, visible_at, ingest_at)',
        8,
      ),
      receive: db.prepare<[string, number, number], MessageRow>(
        'SELECT id, queue, body, receive_count, ingest_at, transaction_id FROM messages WHERE queue = ? AND visible_at <= ? ORDER BY visible_at LIMIT ?',
      ),
      markReceived: db.prepare('UPDATE messages SET visible_at = ?, receive_count = receive_count + 1 WHERE id = ?'),
      deleteMessages: db.prepare('DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))'),
      // Which of these transaction ids (a JSON array) have an idempotency record / a saga (see probeAbsent)?
      idempotencyKeysIn: db
        .prepare<[string], string>('SELECT key FROM idempotency WHERE key IN (SELECT value FROM json_each(?))')
        .pluck(),
      sagaIdsIn: db
        .prepare<[string], string>('SELECT id FROM sagas WHERE id IN (SELECT value FROM json_each(?))')
        .pluck(),
      failMessage: db.prepare('UPDATE messages SET visible_at = ?, last_error = ?, receive_count = ? WHERE id = ?'),
      deadLetter: db.prepare(
        'UPDATE messages SET queue = ?, source_queue = queue, dead = 1, enqueued_at = ?, visible_at = ?, last_error = coalesce(?, last_error), receive_count = ? WHERE id = ?',
      ),
      queueCount: db.prepare(
        'INSERT INTO queue_counts (queue, total) VALUES (?, ?) ON CONFLICT(queue) DO UPDATE SET total = total + excluded.total',
      ),
      sagaCount: db.prepare(
        'INSERT INTO saga_counts (status, total) VALUES (?, ?) ON CONFLICT(status) DO UPDATE SET total = total + excluded.total',
      ),
      // New sagas: a multi-row INSERT flushed at the end of processBatch (see persistSaga).
      sagaRows: new RowBatch(
        db,
        'INSERT INTO sagas (id, transaction_id, status, started_at, ended_at, failed_step, error, amount, currency, input, steps, cursor, next_run_at, ingest_at)',
        14,
      ),
      sagaInput: db.prepare<[string], string>('SELECT input FROM sagas WHERE id = ?').pluck(),
      updateSaga: db.prepare(
        'UPDATE sagas SET status = ?, ended_at = ?, failed_step = ?, error = ?, steps = ?, cursor = ?, next_run_at = ? WHERE id = ?',
      ),
      dueSagas: db.prepare<[number, number], SagaRow>(
        'SELECT id, status, started_at, ended_at, failed_step, error, input, steps, cursor, next_run_at, ingest_at FROM sagas WHERE next_run_at IS NOT NULL AND next_run_at <= ? ORDER BY next_run_at LIMIT ?',
      ),
      anyDue: db
        .prepare<[number], number>('SELECT 1 FROM sagas WHERE next_run_at IS NOT NULL AND next_run_at <= ? LIMIT 1')
        .pluck(),
      metricAdd: db.prepare(
        'INSERT INTO metrics (metric, minute, value) VALUES (?, ?, ?) ON CONFLICT(metric, minute) DO UPDATE SET value = value + excluded.value',
      ),
      metricMax: db.prepare(
        'INSERT INTO metrics (metric, minute, value) VALUES (?, ?, ?) ON CONFLICT(metric, minute) DO UPDATE SET value = max(value, excluded.value)',
      ),
      metricSet: db.prepare(
        'INSERT INTO metrics (metric, minute, value) VALUES (?, ?, ?) ON CONFLICT(metric, minute) DO UPDATE SET value = excluded.value',
      ),
      metricGet: db.prepare<[string, number], { value: number }>(
        'SELECT value FROM metrics WHERE metric = ? AND minute = ?',
      ),
      metricRange: db.prepare<[string, number, number], { minute: number; value: number }>(
        'SELECT minute, value FROM metrics WHERE metric = ? AND minute BETWEEN ? AND ?',
      ),
      getAlarm: db.prepare<[string], { state: AlarmStateValue; reason: string }>(
        'SELECT state, reason FROM alarms WHERE name = ?',
      ),
      putAlarm: db.prepare(
        'INSERT INTO alarms (name, state, reason, since, evaluated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since, evaluated_at = excluded.evaluated_at',
      ),
      touchAlarm: db.prepare('UPDATE alarms SET evaluated_at = ?, reason = ? WHERE name = ?'),
      alarmHistory: db.prepare(
        'INSERT INTO alarm_history (name, at, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?)',
      ),
      inbox: db.prepare<[number], { id: number; body: string }>('SELECT id, body FROM inbox ORDER BY id LIMIT ?'),
      inboxAny: db.prepare<[], number>('SELECT 1 FROM inbox LIMIT 1').pluck(),
      deleteInbox: db.prepare('DELETE FROM inbox WHERE id <= ?'),
      activeRedrives: db
        .prepare<[], string>("SELECT id FROM redrive_tasks WHERE status IN ('RUNNING', 'CANCELLING')")
        .pluck(),
      redrive: db.prepare<
        [string],
        {
          id: string;
          queue_id: string;
          status: string;
          moved: number;
          total: number;
          rate: number | null;
          message_ids: string | null;
          started_at: number;
        }
      >('SELECT id, queue_id, status, moved, total, rate, message_ids, started_at FROM redrive_tasks WHERE id = ?'),
      // Every transition names the state it leaves: the console writes these rows too.
      endRedrive: db.prepare(
        'UPDATE redrive_tasks SET status = ?, ended_at = ?, failure_reason = ? WHERE id = ? AND status = ?',
      ),
      redriveProgress: db.prepare("UPDATE redrive_tasks SET moved = moved + ? WHERE id = ? AND status = 'RUNNING'"),
      activeReplays: db
        .prepare<[], string>("SELECT name FROM replays WHERE state IN ('STARTING', 'RUNNING', 'CANCELLING')")
        .pluck(),
      replay: db.prepare<
        [string],
        {
          name: string;
          state: string;
          window_start: number;
          window_end: number;
          pattern: string | null;
          cursor_time: number | null;
          cursor_seq: number | null;
        }
      >('SELECT name, state, window_start, window_end, pattern, cursor_time, cursor_seq FROM replays WHERE name = ?'),
      setReplayState: db.prepare(
        'UPDATE replays SET state = ?, ended_at = ?, state_reason = ? WHERE name = ? AND state = ?',
      ),
      startReplay: db.prepare(
        "UPDATE replays SET state = 'RUNNING', events_total = ? WHERE name = ? AND state = 'STARTING'",
      ),
      replayProgress: db.prepare(
        "UPDATE replays SET cursor_time = ?, cursor_seq = ?, last_replayed_time = ?, events_replayed = events_replayed + ? WHERE name = ? AND state = 'RUNNING'",
      ),
      insertAccount: db.prepare(
        'INSERT OR IGNORE INTO accounts (id, currency, balance, held, open_holds, opening_balance, created_at) VALUES (?, ?, ?, 0, 0, ?, ?)',
      ),
      accountIds: db.prepare<[], { id: string; balance: number }>(
        'SELECT id, opening_balance AS balance FROM accounts ORDER BY id',
      ),
      pruneArchive: db.prepare<[number], { n: number; bytes: number | null }>(
        'SELECT count(*) AS n, sum(length(body)) AS bytes FROM archive WHERE time < ?',
      ),
      deleteArchive: db.prepare('DELETE FROM archive WHERE time < ?'),
      pruneIdempotency: db.prepare('DELETE FROM idempotency WHERE expiry_time < ?'),
      pruneRejected: db.prepare('DELETE FROM rejected_events WHERE id <= (SELECT max(id) FROM rejected_events) - 1000'),
      pruneMetrics: db.prepare('DELETE FROM metrics WHERE minute < ?'),
    };
    this.loadRules();
  }

  /**
   * The engine's clock. While a message is processed it reads the time the message started
   * (one clock read per message instead of one per step record, metric and ledger write).
   */
  now(): number {
    return this.messageNow ?? this.liveNow();
  }

  /** The clock itself, also while a message is processed. */
  private liveNow(): number {
    return this.baseClock() + this.clockOffset;
  }

  /**
   * While the seed writes its history the engine's clock is in the simulated past: such lines say
   * when they happened on that clock, since the host stamps lines with the time they were written.
   */
  private log(line: string): void {
    this.opts.log?.(
      this.clockOffset === 0 ? line : `${line} [seeded history at ${new Date(this.liveNow()).toISOString()}]`,
    );
  }

  // ------------------------------------------------------------------ transactions

  /** Runs `fn` in one IMMEDIATE transaction (or inside the current one). */
  async tx<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.db.inTransaction) return fn();
    if (this.checkpointer) this.finishCheckpoint();
    this.db.exec('BEGIN IMMEDIATE');
    // Unit of work: accounts, holds and new idempotency records are written once, before COMMIT.
    this.ledger.beginBatch(this.undo);
    this.idempotency.beginBatch(this.undo);
    const txCounts = (this.txCounts = {
      sums: new Map(),
      durations: [],
      countsBefore: { ...this.counts },
      latenciesBefore: this.latencies.length,
    });
    try {
      const r = await fn();
      this.ledger.flushBatch();
      this.idempotency.flushBatch();
      this.flushDeltas();
      this.db.exec('COMMIT');
      this.keepTxCounts(txCounts);
      return r;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.queueDelta.clear();
      this.sagaDelta.clear();
      Object.assign(this.counts, txCounts.countsBefore);
      this.latencies.length = Math.min(this.latencies.length, txCounts.latenciesBefore);
      throw e;
    } finally {
      this.txCounts = null;
      this.discardUnwritten();
      this.ledger.discardBatch();
      this.idempotency.discardBatch();
      this.undo.clear();
    }
  }

  /**
   * Ends the write transaction's engine-side state: rows still buffered for a multi-row INSERT
   * (only after a failure: every writer flushes its own before it returns), the parse results
   * waiting for their message ids, and the transaction's saga facts.
   */
  private discardUnwritten(): void {
    this.s.archiveRows.discard();
    this.s.messageRows.discard();
    this.s.sagaRows.discard();
    this.unassignedParsed.length = 0;
    this.newSagaInputs.clear();
    this.sagasAtStart = null;
  }

  /**
   * With the background checkpointer: every few transactions, checkpoint the little the thread
   * has not copied yet, so that the next write transaction can rewind the WAL (SQLite restarts
   * the log only when a writer begins after a complete checkpoint). PASSIVE: returns at once if
   * the thread is checkpointing right now; tried again before the next transaction.
   */
  private finishCheckpoint(): void {
    if (++this.txSinceCheckpoint < TX_PER_WAL_REWIND) return;
    const r = this.s.walCheckpoint.get();
    if (r && r.busy === 0 && r.log === r.checkpointed) this.txSinceCheckpoint = 0;
  }

  /** A committed transaction's counter metrics and durations join those waiting for flushMetrics. */
  private keepTxCounts(tx: TxCounts): void {
    for (const [id, byMinute] of tx.sums) for (const [m, v] of byMinute) addSum(this.pendingSums, id, m, v);
    for (const { minute, ms } of tx.durations) {
      const list = this.durations.get(minute);
      if (list) for (const d of ms) list.push(d);
      else this.durations.set(minute, ms);
    }
    tx.sums.clear();
    tx.durations.length = 0;
  }

  private flushDeltas(): void {
    for (const [q, d] of this.queueDelta) if (d !== 0) this.s.queueCount.run(q, d);
    for (const [st, d] of this.sagaDelta) if (d !== 0) this.s.sagaCount.run(st, d);
    this.queueDelta.clear();
    this.sagaDelta.clear();
  }

  private bumpQueue(q: string, d: number): void {
    this.queueDelta.set(q, (this.queueDelta.get(q) ?? 0) + d);
  }
  private bumpSaga(status: SagaStatus, d: number): void {
    this.sagaDelta.set(status, (this.sagaDelta.get(status) ?? 0) + d);
  }

  /**
   * Counter metric (Sum per minute), flushed every second. Counted in a write transaction, it
   * counts only if the transaction commits (tx).
   */
  metric(id: string, delta = 1, at = this.now()): void {
    addSum(this.txCounts?.sums ?? this.pendingSums, id, minuteOf(at), delta);
  }

  /** A counter of what happened outside the database (a downstream call): counted even if the transaction rolls back. */
  private metricOutside(id: string): void {
    addSum(this.pendingSums, id, minuteOf(this.now()), 1);
  }

  // ------------------------------------------------------------------ setup

  private loadRules(): void {
    const existing = this.db
      .prepare<[], { name: string; pattern: string; target_queue: string }>(
        'SELECT name, pattern, target_queue FROM rules WHERE enabled = 1',
      )
      .all();
    if (existing.length === 0) {
      const pattern = { source: [...eventSources], 'detail-type': ['TransactionSubmitted', 'PaymentValidated'] };
      this.db
        .prepare('INSERT OR IGNORE INTO rules (name, pattern, target_queue) VALUES (?, ?, ?)')
        .run(`${NAMES.prefix}-transactions-to-${PROCESSING}`, JSON.stringify(pattern), PROCESSING);
      return this.loadRules();
    }
    this.rules = existing.map((r) => {
      const pattern = JSON.parse(r.pattern) as EventPattern;
      return {
        name: r.name,
        pattern,
        target: r.target_queue,
        headerOnly: Object.keys(pattern).every((k) => k === 'source' || k === 'detail-type'),
      };
    });
  }

  /** Opens the engine: applies start knobs, creates accounts and (on an empty database) seeds history. */
  async start(): Promise<void> {
    this.readSettings(true);
    if (this.opts.traffic) {
      this.knobs = trafficKnobsSchema.parse({ ...this.knobs, ...this.opts.traffic });
      this.s.putSetting.run('traffic', JSON.stringify(this.knobs), this.now());
    }
    const seeded = this.s.getMeta.get('seeded');
    if (!seeded) {
      await this.tx(() => this.createAccounts());
      if (this.opts.seed) await this.seedHistory();
      this.s.putMeta.run('seeded', new Date(this.now()).toISOString());
    }
    this.loadAccounts();
    this.log(`engine ready: ${this.regularAccounts.length} accounts, knobs ${JSON.stringify(this.knobs)}`);
  }

  private createAccounts(): void {
    const now = this.now();
    let total = 0;
    for (let i = 1; i <= this.opts.accounts; i++) {
      const opening = 1_000_000_000; // 10,000,000.00
      this.s.insertAccount.run(`acct-${String(i).padStart(4, '0')}`, 'USD', opening, opening, now);
      total += opening;
    }
    for (let i = 1; i <= 10; i++) {
      this.s.insertAccount.run(`acct-low-${String(i).padStart(2, '0')}`, 'USD', 10_000, 10_000, now); // 100.00
      total += 10_000;
    }
    this.s.putMeta.run('expected_total', String(total));
  }

  private loadAccounts(): void {
    const ids = this.s.accountIds.all().map((r) => r.id);
    this.regularAccounts = ids.filter((id) => !id.startsWith('acct-low-'));
    this.lowAccounts = ids.filter((id) => id.startsWith('acct-low-'));
  }

  /** Re-reads the knobs when the console changed them (settings row). */
  readSettings(force = false): void {
    const row = this.s.getSetting.get('traffic');
    if (!row) {
      if (force) this.s.putSetting.run('traffic', JSON.stringify(this.knobs), this.now());
      return;
    }
    if (!force && row.updated_at === this.settingsVersion) return;
    this.settingsVersion = row.updated_at;
    const parsed = trafficKnobsSchema.safeParse({ ...defaultTrafficKnobs, ...(JSON.parse(row.value) as object) });
    if (parsed.success) this.knobs = parsed.data;
    else this.log(`ignoring invalid traffic settings: ${parsed.error.message}`);
  }

  setKnobs(patch: Partial<TrafficKnobs>): void {
    if (patch.rate !== undefined && patch.rate !== this.knobs.rate) {
      this.genCarry = 0;
      this.lastGenAt = 0;
    }
    this.knobs = trafficKnobsSchema.parse({ ...this.knobs, ...patch });
    this.s.putSetting.run('traffic', JSON.stringify(this.knobs), this.now());
    this.settingsVersion = -1;
  }

  // ------------------------------------------------------------------ bus

  /**
   * PutEvents: validates each entry, archives it (unless it is a replay), matches the rules and
   * sends it to the target queues. Returns per-entry results. Call inside tx().
   */
  putEvents(
    entries: readonly unknown[],
    opts: { replayName?: string; ingestAt?: number } = {},
  ): { accepted: number; rejected: { index: number; reason: string }[] } {
    const now = this.now();
    const ingestAt = opts.ingestAt ?? now;
    let accepted = 0;
    let archivedBytes = 0;
    let archived = 0;
    const rejected: { index: number; reason: string }[] = [];
    const { archiveRows, messageRows } = this.s;
    for (let i = 0; i < entries.length; i++) {
      const raw = entries[i];
      // Replayed events come from the archive, which only holds events that passed these checks.
      const parsed: ReturnType<typeof parseEnvelope> =
        opts.replayName && raw !== null && typeof raw === 'object'
          ? { ok: true as const, event: raw as EventEnvelope }
          : parseEnvelope(raw);
      if (!parsed.ok) {
        rejected.push({ index: i, reason: parsed.reason });
        const excerpt = typeof raw === 'string' ? raw.slice(0, 200) : (JSON.stringify(raw) ?? '').slice(0, 200);
        this.s.insertRejected.run(now, parsed.code, parsed.reason, excerpt);
        this.metric('events.rejected', 1, now);
        this.counts.rejected++;
        continue;
      }
      const env = parsed.event;
      if (opts.replayName) env['replay-name'] = opts.replayName;
      // The text the bus measured, when it is the envelope's JSON (see parseEnvelope): not serialized twice.
      const body = parsed.text !== undefined && !opts.replayName ? parsed.text : JSON.stringify(env);
      const detail = env.detail as { transactionId?: unknown } | null;
      const txId =
        detail && typeof detail === 'object' && typeof detail.transactionId === 'string'
          ? detail.transactionId.slice(0, 100)
          : null;
      const eventTime = Date.parse(env.time);
      if (!opts.replayName) {
        archiveRows.add(env.id, eventTime, env.source, env['detail-type'], txId, body, now);
        archived++;
        archivedBytes += body.length;
      }
      let matched = false;
      // Validated once here: the processor reuses this result for the same body (see parsedAt).
      let parsedEvent: ParseResult<TransactionEvent> | null = null;
      for (const rule of this.rules) {
        if (!matchesPattern(rule.pattern, env)) continue;
        matched = true;
        if (!opts.replayName) parsedEvent ??= transactionEventOf(env);
        this.unassignedParsed.push(parsedEvent?.ok ? { body, result: parsedEvent } : null);
        this.assignParsed(
          messageRows.add(
            rule.target,
            body,
            opts.replayName
              ? JSON.stringify({ eventId: env.id, replayName: opts.replayName })
              : `{"eventId":${JSON.stringify(env.id)}}`,
            txId,
            now,
            now,
            now,
            ingestAt,
          ),
        );
        this.bumpQueue(rule.target, 1);
      }
      if (matched) this.metric('events.in', 1, now);
      accepted++;
    }
    archiveRows.flush();
    this.assignParsed(messageRows.flush());
    if (archived > 0) this.s.archiveStats.run(NAMES.archiveName, archived, archivedBytes);
    this.counts.ingested += accepted;
    return { accepted, rejected };
  }

  /**
   * The bus side of a replay: archived events (validated when they were first put) go to the
   * rules' targets marked with the replay name, and are not archived again. The body is only
   * parsed when a rule's pattern looks beyond source and detail-type.
   */
  private putReplayed(rows: readonly ArchiveRow[], replayName: string): void {
    const now = this.now();
    const mark = `{"replay-name":${JSON.stringify(replayName)},`;
    const { messageRows } = this.s;
    let matchedEvents = 0;
    for (const row of rows) {
      let parsed: Record<string, unknown> | null = null;
      const full = () => (parsed ??= JSON.parse(row.body) as Record<string, unknown>);
      const head = { source: row.source, 'detail-type': row.detail_type };
      // Our archive stores JSON objects; a producer-set replay-name (never archived by us) takes the slow path.
      const body =
        row.body.startsWith('{') && !row.body.includes('"replay-name"')
          ? mark + row.body.slice(1)
          : JSON.stringify({ ...full(), 'replay-name': replayName });
      let matched = false;
      for (const rule of this.rules) {
        if (!matchesPattern(rule.pattern, rule.headerOnly ? head : full())) continue;
        matched = true;
        messageRows.add(
          rule.target,
          body,
          JSON.stringify({ eventId: row.event_id, replayName }),
          row.transaction_id,
          now,
          now,
          now,
          now,
        );
        this.bumpQueue(rule.target, 1);
      }
      if (matched) matchedEvents++;
    }
    messageRows.flush();
    if (matchedEvents > 0) this.metric('events.in', matchedEvents, now);
    this.counts.ingested += rows.length;
  }

  /** Ingests events written to the inbox table by other processes (admin API, benches). */
  async pumpInbox(limit = 2000): Promise<number> {
    // Looked at before the write transaction: an empty inbox (nearly always) costs no BEGIN/COMMIT.
    if (this.s.inboxAny.get() === undefined) return 0;
    return this.tx(() => {
      const rows = this.s.inbox.all(limit);
      if (rows.length === 0) return 0;
      this.putEvents(rows.map((r) => r.body));
      this.s.deleteInbox.run(rows[rows.length - 1]!.id);
      return rows.length;
    });
  }

  // ------------------------------------------------------------------ traffic

  /** Builds `n` events according to the knobs. */
  makeTraffic(n: number): unknown[] {
    const out: unknown[] = [];
    const now = this.now();
    const time = new Date(now).toISOString();
    for (let i = 0; i < n; i++) {
      const r = this.rand();
      if (this.knobs.duplicateRatio > 0 && this.recentTx.length > 0 && this.rand() < this.knobs.duplicateRatio) {
        const tx = this.recentTx[Math.floor(this.rand() * this.recentTx.length)]!;
        out.push(transactionEnvelope(randomUUID(), tx, time));
        continue;
      }
      const id = `tx-${now.toString(36)}-${randomUUID().slice(0, 13)}`;
      if (r < this.knobs.poisonRatio) {
        // Valid envelope, body the processor can never apply: a poison message.
        out.push({
          version: '0',
          id: randomUUID(),
          source: 'transaction.processing',
          'detail-type': 'TransactionSubmitted',
          time,
          detail: { transactionId: id, fromAccount: this.pick(this.regularAccounts), amount: '12.50', currency: 'usd' },
        });
        continue;
      }
      const insufficient = this.rand() < this.knobs.insufficientFundsRatio && this.lowAccounts.length > 0;
      const from = insufficient ? this.pick(this.lowAccounts) : this.pick(this.regularAccounts);
      let to = this.pick(this.regularAccounts);
      if (to === from) to = this.regularAccounts[(this.regularAccounts.indexOf(to) + 1) % this.regularAccounts.length]!;
      const amount = insufficient ? 5_000_000 : 100 + Math.floor(this.rand() * 50_000);
      const tx: Transaction = {
        transactionId: id,
        fromAccount: from,
        toAccount: to,
        amount,
        currency: 'USD',
        createdAt: time,
      };
      out.push(
        transactionEnvelope(
          randomUUID(),
          tx,
          time,
          this.rand() < 0.1 ? 'payment.validation' : 'transaction.processing',
        ),
      );
      this.recentTx.push(tx);
      if (this.recentTx.length > 200) this.recentTx.shift();
    }
    return out;
  }

  private pick(list: readonly string[]): string {
    return list[Math.floor(this.rand() * list.length)]!;
  }

  /** Generates traffic for the time elapsed since the last call at the knob rate. */
  async generate(maxBatch = 5000): Promise<number> {
    const now = this.now();
    if (this.lastGenAt === 0) this.lastGenAt = now;
    const elapsed = Math.min(2000, now - this.lastGenAt);
    this.lastGenAt = now;
    this.genCarry += (this.knobs.rate * elapsed) / 1000;
    const n = Math.min(maxBatch, Math.floor(this.genCarry));
    if (n <= 0) return 0;
    // An overloaded engine sheds the excess offered load instead of building an unbounded debt.
    this.genCarry = Math.min(this.genCarry - n, maxBatch);
    const events = this.makeTraffic(n);
    await this.tx(() => this.putEvents(events));
    return n;
  }

  // ------------------------------------------------------------------ queues + processor

  /**
   * ReceiveMessage: up to `max` visible messages; redrives to the DLQ those received
   * MAX_RECEIVE_COUNT times. With `mark` false the caller processes the messages in this same
   * transaction: the receive is then recorded only if processing fails (a crash rolls back the
   * receive together with its effects, so nothing is lost and the count stays exact).
   */
  receive(queue: string, max: number, mark = true): MessageRow[] {
    const now = this.now();
    const rows = this.s.receive.all(queue, now, max);
    const out: MessageRow[] = [];
    const until = now + this.visibilityTimeoutSeconds * 1000;
    for (const m of rows) {
      if (m.receive_count >= MAX_RECEIVE_COUNT) {
        this.deadLetter(m, `receive count ${m.receive_count} reached maxReceiveCount ${MAX_RECEIVE_COUNT}`, true);
        continue;
      }
      if (mark) this.s.markReceived.run(until, m.id);
      m.receive_count++;
      out.push(m);
    }
    return out;
  }

  /**
   * A received message failed: its error and receive count are recorded and it is retried after
   * the failure delay, or it goes to the DLQ once it was received MAX_RECEIVE_COUNT times.
   */
  private recordFailure(m: MessageRow, e: unknown): void {
    const err = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    this.metric('processor.errors');
    this.counts.failedMessages++;
    if (m.receive_count >= MAX_RECEIVE_COUNT) this.deadLetter(m, err, false);
    else this.s.failMessage.run(this.now() + this.opts.failureRetryDelayMs, err, m.receive_count, m.id);
  }

  private deadLetter(m: MessageRow, error: string | null, keepError: boolean): void {
    const now = this.now();
    const dlq = m.queue === PROCESSING ? dlqOf(PROCESSING) : BUS_DLQ;
    this.s.deadLetter.run(dlq, now, now, keepError ? null : error, m.receive_count, m.id);
    this.bumpQueue(m.queue, -1);
    this.bumpQueue(dlq, 1);
    this.counts.deadLettered++;
  }

  /** One processor cycle: receive a batch, (slow consumer), process it in one transaction. */
  async processOnce(): Promise<number> {
    if (this.knobs.slowConsumerMs === 0) {
      // Receive and process in one transaction (one write less per message).
      const t0 = performance.now();
      let received: MessageRow[] = [];
      try {
        await this.tx(() => {
          received = this.receive(PROCESSING, this.opts.batchSize, false);
          if (received.length > 0) this.processBatch(received);
        });
      } catch (e) {
        if (received.length === 0) throw e;
        await this.processEachAlone(received, e);
      }
      if (received.length > 0) this.batchDurations.push(performance.now() - t0);
      return received.length;
    }
    // A slow consumer: messages stay in flight (visibility timeout) while it works.
    const batch = await this.tx(() => this.receive(PROCESSING, this.opts.batchSize));
    if (batch.length === 0) return 0;
    const t0 = performance.now();
    await sleep(this.knobs.slowConsumerMs);
    try {
      await this.tx(() => this.processBatch(batch));
    } catch (e) {
      await this.processEachAlone(batch, e);
    }
    this.batchDurations.push(performance.now() - t0);
    return batch.length;
  }

  /**
   * A batch failed as a whole (a write at its flush failed, or a message failed after its saga
   * row was written): it was rolled back, nothing of it applied. Its messages run again, one
   * transaction each, so that only the failing one fails: its error and receive are recorded
   * (and after maxReceiveCount it goes to the DLQ) while the others are applied. Each message's
   * receive_count is the count of this receive (receive() counted it, in memory or in the table).
   */
  private async processEachAlone(batch: readonly MessageRow[], cause: unknown): Promise<void> {
    this.log(
      `a batch of ${batch.length} failed as a whole (${cause instanceof Error ? cause.message : String(cause)}); processing its messages one by one`,
    );
    for (const m of batch) {
      try {
        await this.tx(() => this.processBatch([m]));
      } catch (e) {
        await this.tx(() => this.recordFailure(m, e));
      }
    }
  }

  /**
   * Parse results of messages this process put on a queue, by message id, so the processor does
   * not parse (JSON + zod) again what the bus validated. Used only when the stored body is the
   * very text that was parsed; otherwise (another process, a redrive, a replay) it parses again.
   * Bounded: dropped wholesale past PARSED_CACHE_MAX entries (a miss only costs a parse).
   */
  private readonly parsed = new Map<number, { body: string; result: ParseResult<TransactionEvent> }>();
  private currentMessageId = -1;

  /**
   * Parse results of the messages putEvents added to messageRows whose ids are not known yet, in
   * insertion order (null: nothing to remember). A multi-row INSERT gives consecutive rowids
   * (each row takes the table's largest rowid + 1, and this transaction is the only writer), so
   * the last id of a write names them all.
   */
  private readonly unassignedParsed: ({ body: string; result: ParseResult<TransactionEvent> } | null)[] = [];

  private assignParsed(lastId: number | null): void {
    if (lastId === null) return;
    const pending = this.unassignedParsed;
    const first = lastId - pending.length + 1;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i];
      if (p) this.rememberParsed(first + i, p.body, p.result);
    }
    pending.length = 0;
  }

  private rememberParsed(id: number, body: string, result: ParseResult<TransactionEvent>): void {
    if (this.parsed.size >= PARSED_CACHE_MAX) this.parsed.clear();
    this.parsed.set(id, { body, result });
  }

  private parsedAt(body: string): ParseResult<TransactionEvent> {
    const hit = this.parsed.get(this.currentMessageId);
    if (hit) {
      this.parsed.delete(this.currentMessageId);
      if (hit.body === body) return hit.result;
    }
    return parseTransactionEvent(body);
  }

  private readonly processorDeps: ProcessorDeps = {
    parse: (body) => this.parsedAt(body),
    idempotency: {
      claim: (k, e, n, p) => this.idempotency.claim(k, e, n, p),
      complete: (k, r) => this.idempotency.complete(k, r),
      release: (k) => this.idempotency.release(k),
      get: (k) => this.idempotency.get(k),
    },
    startSaga: (event) => this.startSaga(event),
    checkDuplicate: (event) => {
      this.checkSameContent(event.transaction);
    },
    now: () => this.now(),
  };
  private currentIngestAt = 0;

  private processBatch(batch: MessageRow[]): void {
    const durations: number[] = [];
    this.txCounts?.durations.push({ minute: minuteOf(this.now()), ms: durations });
    // Messages processed successfully: deleted together after the loop, in this same transaction.
    const done: number[] = [];
    this.probeAbsent(batch);
    // No savepoint per message: the stores keep everything a message writes in memory until the
    // batch's flush (stores.ts), and its saga row waits in sagaRows (persistSaga, the last step
    // that can fail). A failed message is rolled back by its UndoLog mark. Should a message fail
    // after its saga row was added, or a write fail at the flush, the whole batch is rolled back
    // (nothing half-applied) and processOnce runs its messages one transaction each.
    for (const m of batch) {
      const t0 = performance.now();
      const mark = this.undo.mark();
      const sagaWrites = this.sagaWrites;
      this.messageNow = this.liveNow();
      try {
        this.currentIngestAt = m.ingest_at;
        this.currentMessageId = m.id;
        if (this.knobs.processorOutage) {
          // A poison message still fails as poison; a valid one fails because the processor is down.
          const parsed = this.parsedAt(m.body);
          if (!parsed.ok) throw new PoisonMessageError(parsed.code, parsed.reason);
          throw new ProcessorOutageError();
        }
        const outcome = settled(processMessage(m.body, this.processorDeps), 'processMessage');
        done.push(m.id);
        this.bumpQueue(m.queue, -1);
        if (outcome.kind === 'duplicate') {
          this.metric('processor.duplicates');
          this.counts.duplicates++;
        } else {
          this.metric('processor.processed');
          this.counts.processed++;
        }
      } catch (e) {
        if (this.sagaWrites !== sagaWrites)
          throw new Error(
            `message ${m.id} failed after its saga row was written; the batch is rolled back: ${e instanceof Error ? e.message : String(e)}`,
            { cause: e },
          );
        this.undo.rollbackTo(mark);
        this.recordFailure(m, e);
      } finally {
        this.messageNow = null;
      }
      durations.push(performance.now() - t0);
    }
    // The batch's new sagas go to the table before it returns (later statements of the same
    // transaction, e.g. the seed's due-saga runs, read them there).
    this.s.sagaRows.flush();
    if (done.length > 0) this.s.deleteMessages.run(JSON.stringify(done));
  }

  /**
   * Tells the stores which rows keyed by the batch's transaction ids do not exist, so a new
   * transaction's claim and steps skip their lookups: two statements per batch instead of four
   * index seeks per message. Ledger rows (hold, journal, settlement) of a transaction are only
   * ever written by its saga's steps, in the same SQLite transaction that inserts or updates its
   * saga row (saga id = transaction id; sagas are never deleted), so no saga row means no ledger
   * rows. Runs at the start of the batch transaction (the write lock is held). What the batch
   * writes afterwards for an id is in the stores' batch state, which they read before these facts
   * (a second message of the same transaction meets the first one's idempotency record there).
   * The id is the message's column: should the body carry another id, the facts are simply not
   * used (they are kept per id).
   */
  private probeAbsent(batch: readonly MessageRow[]): void {
    const ids: string[] = [];
    for (const m of batch) if (m.transaction_id !== null) ids.push(m.transaction_id);
    if (ids.length === 0) return;
    const json = JSON.stringify(ids);
    const claimed = new Set(this.s.idempotencyKeysIn.all(json));
    const started = new Set(this.s.sagaIdsIn.all(json));
    this.sagasAtStart = { probed: new Set(ids), existing: started };
    for (const id of ids) {
      if (!claimed.has(id)) this.idempotency.noteAbsent(id);
      if (!started.has(id)) this.ledger.noteAbsent(id, { hold: true, journal: true, settlement: true });
    }
  }

  // ------------------------------------------------------------------ sagas

  /**
   * Sagas of the current write transaction: the inputs of those it created (their rows wait in
   * sagaRows until the flush), and which of the batch's ids had a saga when it began (probeAbsent).
   */
  private readonly newSagaInputs = new Map<string, string>();
  private sagasAtStart: { probed: Set<string>; existing: Set<string> } | null = null;

  /** The stored input of saga `id`, or null when there is none (in this transaction or the table). */
  private existingSagaInput(id: string): string | null {
    const created = this.newSagaInputs.get(id);
    if (created !== undefined) return created;
    const probe = this.sagasAtStart;
    if (probe?.probed.has(id) && !probe.existing.has(id)) return null;
    return this.s.sagaInput.get(id) ?? null;
  }

  /**
   * Throws PoisonMessageError when transaction `tx.transactionId` already has a saga started with
   * other content (the message goes to the DLQ for review); true when it has one with the same.
   */
  private checkSameContent(tx: TransactionEvent['transaction'], input = JSON.stringify(tx)): boolean {
    const existing = this.existingSagaInput(tx.transactionId);
    if (existing === null) return false;
    if (existing === input) return true;
    throw new PoisonMessageError(
      'invalid',
      `transaction ${tx.transactionId} already has a saga (${tx.transactionId}) started with different content`,
    );
  }

  private startSaga(event: TransactionEvent): { sagaId: string } {
    const now = this.now();
    const tx = event.transaction;
    const input = JSON.stringify(tx);
    // As Step Functions' StartExecution (named by the transaction id) does: the same name and
    // input return the existing saga and start nothing; the same name with other content is
    // refused and the message goes to the DLQ for review (infra/lambda/processor.ts does the same).
    // Reached when the idempotency record of an applied transaction expired and it came again.
    if (this.checkSameContent(tx, input)) return { sagaId: tx.transactionId };
    const run: SagaRun = {
      id: tx.transactionId,
      transaction: tx,
      status: 'RUNNING',
      startedAt: now,
      endedAt: null,
      failedStep: null,
      error: null,
      steps: sagaDefinition.steps.map((s) => pendingRecord(s.name, 'step')),
      cursor: { phase: 'forward', index: 0, attempt: 1, comps: [] },
      nextRunAt: null,
      ingestAt: this.currentIngestAt || now,
      isNew: true,
      initialStatus: null,
    };
    this.metric('saga.started');
    this.executeSaga(run);
    this.persistSaga(run, input);
    return { sagaId: run.id };
  }

  /**
   * Writes the saga: an update now, or a new row into sagaRows (a multi-row INSERT flushed by
   * processBatch; it cannot meet an existing row, see startSaga). sagaWrites counts both:
   * a message that fails after this point fails the whole batch (processBatch), because its row
   * cannot be taken back on its own.
   */
  private persistSaga(run: SagaRun, input?: string): void {
    const steps = encodeTimeline(run.steps, run.startedAt);
    const c = run.cursor;
    // The same text as JSON.stringify(run.cursor) (its keys in this order), without walking the object.
    const cursor = `{"phase":"${c.phase}","index":${c.index},"attempt":${c.attempt},"comps":${c.comps.length === 0 ? '[]' : JSON.stringify(c.comps)}}`;
    if (run.isNew) {
      const t = run.transaction;
      const text = input ?? JSON.stringify(t);
      this.sagaWrites++;
      this.newSagaInputs.set(run.id, text);
      this.s.sagaRows.add(
        run.id,
        t.transactionId,
        run.status,
        run.startedAt,
        run.endedAt,
        run.failedStep,
        run.error,
        t.amount,
        t.currency,
        text,
        steps,
        cursor,
        run.nextRunAt,
        run.ingestAt,
      );
      this.bumpSaga(run.status, 1);
    } else {
      this.s.updateSaga.run(run.status, run.endedAt, run.failedStep, run.error, steps, cursor, run.nextRunAt, run.id);
      this.sagaWrites++;
      if (run.initialStatus !== run.status) {
        if (run.initialStatus) this.bumpSaga(run.initialStatus, -1);
        this.bumpSaga(run.status, 1);
      }
    }
    if (TERMINAL.has(run.status) && run.initialStatus !== run.status) {
      this.metric(
        run.status === 'SUCCEEDED'
          ? 'saga.succeeded'
          : run.status === 'COMPENSATED'
            ? 'saga.compensated'
            : 'saga.failed',
      );
      this.counts.sagasEnded++;
      // The live clock, not the message's start time (now()): the latency includes this message's processing.
      if (this.opts.trackLatency) this.latencies.push(this.liveNow() - run.ingestAt);
    }
  }

  private readonly downstream: Downstream = {
    settle: (req) => this.callDownstream(() => ({ reference: `stl-${req.transactionId}` })),
    // A compensation is not held back by the breaker (on AWS the breaker stops starting sagas,
    // never a compensation): SettlePayment records its settlement PENDING before the network is
    // asked, so every saga of a settlement outage voids one, and must be able to.
    voidSettlement: (_req) => this.callDownstream(() => undefined, { bypassBreaker: true }),
    notify: (_req) => this.callDownstream(() => undefined),
  };

  /** The embedded downstream answers synchronously, as every port of the embedded steps does (flow.ts). */
  private callDownstream<T>(fn: () => T, opts: { bypassBreaker?: boolean } = {}): T {
    const now = this.now();
    if (opts.bypassBreaker) {
      this.metricOutside('downstream.calls');
      if (this.currentStep !== null && this.isDown(this.currentStep)) {
        this.metricOutside('downstream.failures');
        throw new StepError(sagaErrors.transient, `downstream unavailable (outage injected on ${this.currentStep})`);
      }
      return fn();
    }
    if (!this.breaker.tryAcquire(now)) {
      this.metricOutside('downstream.rejected');
      throw new StepError(sagaErrors.transient, 'circuit breaker open: downstream not called');
    }
    this.metricOutside('downstream.calls');
    if (this.currentStep !== null && this.isDown(this.currentStep)) {
      this.metricOutside('downstream.failures');
      this.breaker.record(false, now);
      throw new StepError(sagaErrors.transient, `downstream unavailable (outage injected on ${this.currentStep})`);
    }
    this.breaker.record(true, now);
    return fn();
  }

  private readonly stepDeps: StepDeps = {
    ledger: this.ledgerProxy(),
    downstream: this.downstream,
    now: () => this.now(),
  };
  /** The ledger port for the steps (this.ledger is assigned after the field initializers run). */
  private ledgerProxy(): LedgerStore {
    return {
      getAccount: (id) => this.ledger.getAccount(id),
      placeHold: (transactionId, account, amount, currency, now) =>
        this.ledger.placeHold(transactionId, account, amount, currency, now),
      releaseHold: (transactionId, now, marker) => this.ledger.releaseHold(transactionId, now, marker),
      post: (transactionId, transfer, now) => this.ledger.post(transactionId, transfer, now),
      reverse: (transactionId, now) => this.ledger.reverse(transactionId, now),
      beginSettlement: (transactionId, now) => this.ledger.beginSettlement(transactionId, now),
      recordSettlement: (transactionId, reference, now) => this.ledger.recordSettlement(transactionId, reference, now),
      voidSettlement: (transactionId, now) => this.ledger.voidSettlement(transactionId, now),
      getSettlement: (transactionId) => this.ledger.getSettlement(transactionId),
    };
  }

  private isDown(step: string): boolean {
    return this.knobs.outageStep === step || this.extraOutage === step;
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
    if (!isDownstream && this.isDown(name))
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
    rec.attempts = c.attempt;
    // currentStep names the step for the downstream's outage check while it runs.
    this.currentStep = name;
    let out: StepOutput;
    try {
      out = this.invoke(name, kind, run, c.attempt);
    } catch (e) {
      this.currentStep = null;
      const errorName = errorNameOf(e);
      const msg = `${errorName}: ${e instanceof Error ? e.message : String(e)}`;
      rec.error = msg;
      const delay = retryDelaySeconds(retry, c.attempt, errorName);
      if (delay !== null) {
        c.attempt++;
        run.nextRunAt = now + delay * 1000 * this.opts.retryTimeScale;
        return 'retry';
      }
      rec.state = 'FAILED';
      rec.endedAt = this.now();
      return { failed: msg };
    }
    this.currentStep = null;
    rec.state = 'SUCCEEDED';
    const derived = derivedOutputOf(name, run.transaction, out);
    rec.output = derived ?? JSON.stringify(out);
    rec.outputDerived = derived !== null;
    rec.error = null;
    rec.endedAt = this.now();
    c.index++;
    c.attempt = 1;
    return 'done';
  }

  /** Advances a saga until it ends or waits for a retry. Mutates `run`. */
  executeSaga(run: SagaRun): void {
    const steps = sagaDefinition.steps;
    run.nextRunAt = null;
    while (run.cursor.phase !== 'done') {
      const now = this.now();
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
          run.endedAt = this.now();
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

  /** Runs sagas whose retry time has come (or that an operator asked to compensate / resume). */
  async runDueSagas(limit = 500): Promise<number> {
    // Looked at before the write transaction (a read sees the last commit): no BEGIN/COMMIT when nothing is due.
    if (this.s.anyDue.get(this.now()) === undefined) return 0;
    return this.tx(() => {
      const rows = this.s.dueSagas.all(this.now(), limit);
      for (const row of rows) {
        const transaction = JSON.parse(row.input) as Transaction;
        const run: SagaRun = {
          id: row.id,
          transaction,
          status: row.status,
          startedAt: row.started_at,
          endedAt: row.ended_at,
          failedStep: row.failed_step,
          error: row.error,
          steps: decodeTimeline(row.steps, row.started_at, transaction),
          cursor: JSON.parse(row.cursor) as SagaCursor,
          nextRunAt: row.next_run_at,
          ingestAt: row.ingest_at,
          isNew: false,
          initialStatus: row.status,
        };
        if (run.cursor.phase === 'done' || (TERMINAL.has(run.status) && run.status !== 'FAILED')) {
          run.nextRunAt = null;
        } else {
          if (run.status === 'FAILED') {
            run.status = 'COMPENSATING';
            run.endedAt = null;
          }
          this.executeSaga(run);
        }
        this.persistSaga(run);
      }
      return rows.length;
    });
  }

  // ------------------------------------------------------------------ redrive (message-move tasks)

  /**
   * One step of every active redrive. Each task is read again inside its write transaction (the
   * console cancels from another process between the list and the transaction), and every state
   * change names the state it leaves, so a cancel is never overwritten.
   */
  async stepRedrives(): Promise<number> {
    const ids = this.s.activeRedrives.all();
    let moved = 0;
    for (const id of ids) {
      moved += await this.tx(() => {
        const t = this.s.redrive.get(id);
        if (!t || (t.status !== 'RUNNING' && t.status !== 'CANCELLING')) {
          this.redriveBuckets.delete(id);
          return 0;
        }
        const now = this.now();
        if (t.status === 'CANCELLING') {
          this.s.endRedrive.run('CANCELLED', now, null, t.id, 'CANCELLING');
          this.redriveBuckets.delete(id);
          return 0;
        }
        const complete = () => {
          this.s.endRedrive.run('COMPLETED', now, null, t.id, 'RUNNING');
          this.redriveBuckets.delete(id);
        };
        // Never more than the task counted when it started (the same selection: see startRedrive).
        let allowed = Math.min(10_000, t.total - t.moved);
        if (allowed <= 0) {
          complete();
          return 0;
        }
        let tokens = 0;
        if (t.rate !== null) {
          tokens = this.redriveTokens(t.id, t.rate, t.started_at, t.moved, now);
          // (The epsilon: a sum of fractions such as 100 × 0.21 lands just below 21.)
          allowed = Math.min(allowed, Math.floor(tokens + 1e-9));
          if (allowed <= 0) {
            this.redriveBuckets.set(id, { at: now, tokens });
            return 0;
          }
        }
        const dlq = dlqOf(t.queue_id);
        // "All": what had arrived in the DLQ when the task started (dead-lettering keeps the
        // source message id, so the arrival time, not the id, tells what came later).
        const rows = t.message_ids
          ? this.db
              .prepare<[string, string, number], { id: number }>(
                'SELECT m.id FROM messages m JOIN json_each(?) j ON m.id = CAST(j.value AS INTEGER) WHERE m.queue = ? ORDER BY m.id LIMIT ?',
              )
              .all(t.message_ids, dlq, allowed)
          : this.db
              .prepare<[string, number, number], { id: number }>(
                'SELECT id FROM messages WHERE queue = ? AND enqueued_at <= ? ORDER BY enqueued_at, id LIMIT ?',
              )
              .all(dlq, t.started_at, allowed);
        if (rows.length === 0) {
          complete();
          return 0;
        }
        if (this.s.redriveProgress.run(rows.length, t.id).changes === 0) return 0;
        if (t.rate !== null) this.redriveBuckets.set(id, { at: now, tokens: tokens - rows.length });
        const idList = JSON.stringify(rows.map((r) => r.id));
        // New message ids in the source queue (as SQS does); the receive count starts again.
        this.db
          .prepare(
            `INSERT INTO messages (queue, body, attributes, transaction_id, sent_at, enqueued_at, visible_at, receive_count, last_error, ingest_at)
             SELECT coalesce(source_queue, ?), body, attributes, transaction_id, sent_at, ?, ?, 0, last_error, ? FROM messages WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
          )
          .run(t.queue_id, now, now, now, idList);
        this.db.prepare('DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))').run(idList);
        this.bumpQueue(dlq, -rows.length);
        this.bumpQueue(t.queue_id, rows.length);
        if (t.moved + rows.length >= t.total || (t.message_ids === null && rows.length < allowed && t.rate === null))
          complete();
        return rows.length;
      });
    }
    return moved;
  }

  /**
   * The messages a rate-limited redrive may move now: a token bucket holding at most one second
   * of its rate (SQS's MaxNumberOfMessagesPerSecond is a maximum, also after a stall), with the
   * fraction carried from step to step so that the steady throughput equals the rate. A task
   * this process has not stepped yet (new, or after a restart) starts from its progress since it
   * began, capped the same way.
   */
  private redriveTokens(id: string, rate: number, startedAt: number, moved: number, now: number): number {
    const b = this.redriveBuckets.get(id);
    const tokens = b
      ? b.tokens + (rate * Math.max(0, now - b.at)) / 1000
      : (rate * Math.max(0, now - startedAt)) / 1000 - moved;
    return Math.max(0, Math.min(tokens, rate));
  }

  // ------------------------------------------------------------------ replays

  /** One step of every active replay: read again and changed conditionally, as stepRedrives. */
  async stepReplays(limit = 5000): Promise<number> {
    const names = this.s.activeReplays.all();
    let total = 0;
    for (const name of names) {
      total += await this.tx(() => {
        const r = this.s.replay.get(name);
        if (!r) return 0;
        const now = this.now();
        if (r.state === 'CANCELLING') {
          this.s.setReplayState.run('CANCELLED', now, 'cancelled by operator', r.name, 'CANCELLING');
          return 0;
        }
        if (r.state !== 'STARTING' && r.state !== 'RUNNING') return 0;
        const pattern = r.pattern ? (JSON.parse(r.pattern) as { source?: string[]; detailType?: string[] }) : null;
        const where = ['time >= ?', 'time < ?'];
        const params: (string | number)[] = [r.window_start, r.window_end];
        if (pattern?.source?.length) {
          where.push(`source IN (${pattern.source.map(() => '?').join(',')})`);
          params.push(...pattern.source);
        }
        if (pattern?.detailType?.length) {
          where.push(`detail_type IN (${pattern.detailType.map(() => '?').join(',')})`);
          params.push(...pattern.detailType);
        }
        if (r.state === 'STARTING') {
          const n =
            this.db
              .prepare<(string | number)[], { n: number }>(
                `SELECT count(*) AS n FROM archive WHERE ${where.join(' AND ')}`,
              )
              .get(...params)?.n ?? 0;
          if (this.s.startReplay.run(n, r.name).changes === 0) return 0;
        }
        const cursorWhere = r.cursor_time === null ? '' : ' AND (time > ? OR (time = ? AND seq > ?))';
        const cursorParams = r.cursor_time === null ? [] : [r.cursor_time, r.cursor_time, r.cursor_seq ?? 0];
        const rows = this.db
          .prepare<(string | number)[], ArchiveRow>(
            `SELECT seq, time, event_id, source, detail_type, transaction_id, body FROM archive WHERE ${where.join(' AND ')}${cursorWhere} ORDER BY time, seq LIMIT ?`,
          )
          .all(...params, ...cursorParams, limit);
        if (rows.length > 0) {
          const last = rows[rows.length - 1]!;
          if (this.s.replayProgress.run(last.time, last.seq, last.time, rows.length, r.name).changes === 0) return 0;
          this.putReplayed(rows, r.name);
        }
        if (rows.length < limit) this.s.setReplayState.run('COMPLETED', now, null, r.name, 'RUNNING');
        return rows.length;
      });
    }
    return total;
  }

  // ------------------------------------------------------------------ metrics + alarms

  /** The policy's timeout for an observed batch p99 (seconds; null = no observation yet). */
  private policyTimeout(p99Seconds: number | null): number {
    return visibilityTimeout({
      observedP99Seconds: p99Seconds,
      functionTimeoutSeconds: LOCAL_FUNCTION_TIMEOUT_SECONDS,
      batchWindowSeconds: 0,
    }).timeoutSeconds;
  }

  /** Writes the accumulated metrics and the gauges of the current minute. */
  flushMetrics(): void {
    if (this.opts.visibilityTimeoutSeconds === undefined && this.batchDurations.length >= 10) {
      const sorted = this.batchDurations.splice(0).sort((a, b) => a - b);
      this.visibilityTimeoutSeconds = this.policyTimeout(percentile(sorted, 99) / 1000);
    }
    const now = this.now();
    const minute = minuteOf(now);
    const run = () => {
      // Inside a write transaction (the seed's), its counts are written with it: they and the
      // rows they count commit or roll back together.
      if (this.txCounts) this.keepTxCounts(this.txCounts);
      for (const [id, byMinute] of this.pendingSums) for (const [m, v] of byMinute) this.s.metricAdd.run(id, m, v);
      this.pendingSums.clear();
      for (const [m, list] of this.durations) {
        if (list.length === 0) continue;
        list.sort((a, b) => a - b);
        this.s.metricSet.run('processor.duration.p50', m, percentile(list, 50));
        this.s.metricSet.run('processor.duration.p99', m, percentile(list, 99));
        if (m < minute) this.durations.delete(m);
        else if (list.length > 20_000)
          this.durations.set(
            m,
            list.filter((_, i) => i % 2 === 0),
          );
      }
      for (const q of NAMES.queues) {
        const src = this.queueStats(q.id, now);
        const dlq = this.queueStats(dlqOf(q.id), now);
        this.s.metricMax.run(`queue.${q.id}.visible`, minute, src.visible);
        this.s.metricMax.run(`queue.${q.id}.inflight`, minute, src.inFlight);
        this.s.metricMax.run(`queue.${q.id}.oldest_age`, minute, src.oldestAgeSeconds);
        this.s.metricMax.run(`dlq.${q.id}.visible`, minute, dlq.visible);
        this.s.metricMax.run(`dlq.${q.id}.oldest_age`, minute, dlq.oldestAgeSeconds);
      }
      this.s.metricMax.run('bus.dlq.visible', minute, this.queueStats(BUS_DLQ, now).visible);
      const get = (id: string) => this.s.metricGet.get(id, minute)?.value ?? 0;
      const ended = get('saga.succeeded') + get('saga.compensated') + get('saga.failed');
      if (ended > 0) this.s.metricSet.run('saga.compensation_rate', minute, (100 * get('saga.compensated')) / ended);
      // A call the open circuit breaker rejects is a failed downstream interaction too: without
      // it, an outage that starts mid-minute would leave that minute under the alarm threshold.
      const rejected = get('downstream.rejected');
      const attempts = get('downstream.calls') + rejected;
      if (attempts > 0)
        this.s.metricSet.run(
          'downstream.failure_rate',
          minute,
          (100 * (get('downstream.failures') + rejected)) / attempts,
        );
    };
    if (this.db.inTransaction) run();
    else this.db.transaction(run).immediate();
    if (this.clockOffset === 0) this.s.putMeta.run('heartbeat', String(now));
    this.lastFlushAt = now;
  }

  /** Evaluates every alarm on the per-minute datapoints (current minute included). */
  evaluateAlarms(): void {
    const now = this.now();
    const minute = minuteOf(now);
    const run = () => {
      for (const def of LOCAL_ALARMS) {
        const name = alarmName(STAGE, def.suffix);
        const from = minute - def.evaluationPeriods + 1;
        const rows = this.s.metricRange.all(def.metricId, from, minute);
        const byMinute = new Map(rows.map((r) => [r.minute, r.value]));
        const points = Array.from({ length: def.evaluationPeriods }, (_, i) => byMinute.get(from + i) ?? null);
        const current = this.s.getAlarm.get(name);
        const result = evaluateAlarm(def, points, current?.state ?? 'INSUFFICIENT_DATA');
        if (!current || current.state !== result.state) {
          this.s.putAlarm.run(name, result.state, result.reason, now, now);
          this.s.alarmHistory.run(name, now, current?.state ?? 'INSUFFICIENT_DATA', result.state, result.reason);
          this.log(`alarm ${name}: ${current?.state ?? 'INSUFFICIENT_DATA'} -> ${result.state}: ${result.reason}`);
        } else {
          this.s.touchAlarm.run(now, result.reason, name);
        }
      }
    };
    if (this.db.inTransaction) run();
    else this.db.transaction(run).immediate();
    this.lastAlarmAt = now;
  }

  /** Archive retention, idempotency expiry, bounded side tables. */
  maintenance(): void {
    const now = this.now();
    const cutoff = now - ARCHIVE_RETENTION_DAYS * 86_400_000;
    this.db
      .transaction(() => {
        const old = this.s.pruneArchive.get(cutoff);
        if (old && old.n > 0) {
          this.s.deleteArchive.run(cutoff);
          this.s.archiveStats.run(NAMES.archiveName, -old.n, -(old.bytes ?? 0));
        }
        this.s.pruneIdempotency.run(Math.floor(now / 1000));
        this.s.pruneRejected.run();
        this.s.pruneMetrics.run(minuteOf(cutoff));
      })
      .immediate();
    this.lastMaintenanceAt = now;
  }

  // ------------------------------------------------------------------ loop

  /** One round of every loop. Returns true when there was work (the caller then does not sleep). */
  async tick(opts: { generate?: boolean; maxGenerate?: number } = {}): Promise<boolean> {
    // Every round: a knob the console set (e.g. a fault) applies before the events and commands it
    // wrote after it. One primary-key read; the JSON is parsed only when the row changed.
    this.readSettings();
    let work = 0;
    if (opts.generate !== false) work += await this.generate(opts.maxGenerate);
    work += await this.pumpInbox();
    work += await this.processOnce();
    work += await this.runDueSagas();
    work += await this.stepRedrives();
    work += await this.stepReplays();
    const t = this.now();
    if (t - this.lastFlushAt >= 1000) this.flushMetrics();
    if (t - this.lastAlarmAt >= 10_000 || minuteOf(t) !== minuteOf(this.lastAlarmAt)) {
      if (minuteOf(this.lastFlushAt) !== minuteOf(t)) this.flushMetrics(); // gauges of the new minute first
      this.evaluateAlarms();
    }
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
        this.flushMetrics();
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

  // ------------------------------------------------------------------ seeding

  /**
   * First start: 30 simulated minutes of real traffic through the real pipeline (clock moved
   * back), with phases of each fault, so the console shows history, every saga outcome,
   * a DLQ with messages and a firing DLQ alarm.
   */
  private async seedHistory(): Promise<void> {
    const realKnobs = this.knobs;
    const realNow = this.baseClock();
    const startAt = realNow - 30 * 60_000;
    this.loadAccounts();
    const phases: { until: number; knobs: Partial<TrafficKnobs> }[] = [
      { until: 8, knobs: {} },
      { until: 13, knobs: { outageStep: 'SettlePayment' } },
      { until: 17, knobs: { insufficientFundsRatio: 0.3 } },
      { until: 21, knobs: { poisonRatio: 0.08, duplicateRatio: 0.1 } },
      { until: 24, knobs: { outageStep: 'Notify' } },
      { until: 26, knobs: { outageStep: 'VoidSettlement' } },
      { until: 30, knobs: { poisonRatio: 0.03 } },
    ];
    await this.tx(async () => {
      for (let sec = 0; sec <= 30 * 60; sec += 5) {
        this.clockOffset = startAt + sec * 1000 - this.baseClock();
        const minute = Math.floor(sec / 60);
        const phase = phases.find((p) => minute < p.until) ?? phases[phases.length - 1]!;
        // The VoidSettlement phase also keeps Notify down, so sagas reach the failing compensation (FAILED sagas).
        this.extraOutage = phase.knobs.outageStep === 'VoidSettlement' ? 'Notify' : null;
        this.knobs = { ...defaultTrafficKnobs, ...phase.knobs, rate: 1 };
        if (sec < 30 * 60) {
          const n = 1 + Math.floor(this.rand() * 2);
          this.putEvents(this.makeTraffic(n));
        }
        for (let i = 0; i < 3; i++) {
          const batch = this.receive(PROCESSING, 100);
          if (batch.length) this.processBatch(batch);
          await this.runDueSagas();
        }
        if (sec % 10 === 0) {
          this.flushMetrics();
          this.evaluateAlarms();
        }
      }
    });
    this.clockOffset = 0;
    this.extraOutage = null;
    this.knobs = realKnobs;
    this.lastGenAt = 0;
    this.flushMetrics();
    this.evaluateAlarms();
  }
}
