/**
 * Engine throughput: `npm run bench -- engine [--duration 60] [--replay 1000000] [--redrive 100000] [--redrive-rate 500]`.
 * Measures, in one run on this machine: the raw better-sqlite3 batched-insert ceiling (the
 * higher of two samples, before and after the sustained phase); the
 * engine's sustained end-to-end throughput (event -> bus -> archive -> queue -> processor ->
 * whole saga -> ledger) and ingest-to-ledger latency; a replay of 1,000,000 archived events;
 * a redrive of 100,000 DLQ messages unthrottled and one at a set rate. Writes bench/results/engine.json.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ENGINE_PAGE_SIZE } from '../infra/embedded/db';
import { Engine } from '../infra/embedded/engine';
import { NAMES, PROCESSING } from '../infra/embedded/names';
import { reconcile } from '../infra/embedded/reconcile';
import { benchDir } from './fixtures/bench-dir';
import { seedArchive, seedDlq, startRedriveRow, startReplayRow } from './fixtures/engine-fixtures';
import { benchFlags } from './fixtures/flags';
import { writeResults, type BenchEntry } from './results';

const PROCESSOR_BATCH = 1000;
const log = (line: string) => console.log(`[engine] ${line}`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An engine for the bulk phases (replay, redrive): no seed, no traffic, large batches. */
function bulkEngine(dir: string): Engine {
  return new Engine({ dataDir: dir, seed: false, batchSize: 5000, backgroundCheckpoint: true, traffic: { rate: 0 } });
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * How the ceiling's rows are keyed and built. `builtPerRow` is THE ceiling (the metric), the insert
 * STACK.md measures ("realistic JSON rows in 10k-row transactions: ~210,000 rows/s"): each row a
 * distinct event (its own UUID, time and amount) serialized to JSON for its own insert, as every
 * row the engine writes is, into a rowid table with no index. It is also the only kind whose rate
 * matches the issue's own arithmetic (16,700 events/s is a ratio of 0.08 at ~209,000 rows/s).
 * The others are recorded next to it, to show how much the ratio depends on what "a single-row
 * insert" means: `plain`, one constant body text bound again and again with sequential ids (the
 * cheapest insert there is, 1.6-1.9x STACK.md's figure; it was the metric until session 6);
 * random (UUID) event ids; an index on the event time (as the archive has); an index on random
 * event ids.
 */
type CeilingVariant = 'plain' | 'uuidIds' | 'timeIndex' | 'uuidIndex' | 'builtPerRow';
/** The ceiling the metric uses (see CeilingVariant). */
const CEILING_VARIANT: CeilingVariant = 'builtPerRow';
const DEFAULT_PAGE_SIZE = 4096;

/**
 * Raw better-sqlite3 ceiling: one row per statement, 10k-row transactions, WAL +
 * synchronous=NORMAL, SQLite's default 4 KiB pages; `variant` says how the rows are built (the
 * metric's is CEILING_VARIANT, the machine's insert rate as STACK.md measures it). What the
 * engine does better than that (multi-row statements, its 16 KiB pages) is the engine's;
 * `pageSize` is for the variants that show how much pages alone give.
 */
function sqliteCeiling(seconds: number, variant: CeilingVariant, pageSize = DEFAULT_PAGE_SIZE): number {
  const dir = benchDir('ceiling');
  try {
    const db = new Database(path.join(dir, 'ceiling.db'));
    db.pragma(`page_size = ${pageSize}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(
      'CREATE TABLE events (id INTEGER PRIMARY KEY, event_id TEXT NOT NULL, time INTEGER NOT NULL, body TEXT NOT NULL)',
    );
    if (variant === 'timeIndex') db.exec('CREATE INDEX events_time ON events(time)');
    if (variant === 'uuidIndex') db.exec('CREATE INDEX events_event_id ON events(event_id)');
    const eventId = variant === 'uuidIds' || variant === 'uuidIndex' ? () => randomUUID() : (n: number) => `evt-${n}`;
    const ins = db.prepare('INSERT INTO events (event_id, time, body) VALUES (?, ?, ?)');
    const body = JSON.stringify({
      version: '0',
      id: '5f1c0a52-0000-4000-8000-000000000000',
      source: 'transaction.processing',
      'detail-type': 'TransactionSubmitted',
      time: new Date().toISOString(),
      detail: {
        transactionId: 'tx-000000',
        fromAccount: 'acct-0001',
        toAccount: 'acct-0002',
        amount: 12345,
        currency: 'USD',
        createdAt: new Date().toISOString(),
      },
    });
    const builtBody = (id: string, n: number) => {
      const time = new Date().toISOString();
      return JSON.stringify({
        version: '0',
        id,
        source: 'transaction.processing',
        'detail-type': 'TransactionSubmitted',
        time,
        detail: {
          transactionId: `tx-${n}`,
          fromAccount: 'acct-0001',
          toAccount: 'acct-0002',
          amount: 100 + (n % 50_000),
          currency: 'USD',
          createdAt: time,
        },
      });
    };
    const batch = db.transaction((start: number) => {
      if (variant === 'builtPerRow')
        for (let i = 0; i < 10_000; i++) {
          const id = randomUUID();
          ins.run(id, Date.now(), builtBody(id, start + i));
        }
      else for (let i = 0; i < 10_000; i++) ins.run(eventId(start + i), Date.now(), body);
    });
    let rows = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      batch(rows);
      rows += 10_000;
    }
    const rate = rows / ((performance.now() - t0) / 1000);
    db.close();
    return rate;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the engine loop (with its generator) for `ms`; returns sagas ended in that time. */
async function runFor(engine: Engine, ms: number, maxGenerate?: number): Promise<number> {
  const before = engine.counts.sagasEnded;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const busy = await engine.tick({ maxGenerate });
    if (!busy) await sleep(1);
  }
  return engine.counts.sagasEnded - before;
}

async function throughput(durationS: number) {
  const dir = benchDir('throughput');
  const engine = new Engine({
    dataDir: dir,
    seed: false,
    batchSize: PROCESSOR_BATCH,
    trackLatency: true,
    backgroundCheckpoint: true,
    traffic: { rate: 0 },
  });
  try {
    await engine.start();
    // Calibrate: saturate, but generate at most one processor batch per loop round so that
    // ingest and processing stay balanced (otherwise the queue grows and ingest eats the CPU).
    engine.setKnobs({ rate: 100_000 });
    await runFor(engine, 2000, PROCESSOR_BATCH); // warm-up
    const calib = await runFor(engine, 5000, PROCESSOR_BATCH);
    const capacity = calib / 5;
    engine.setKnobs({ rate: 0 });
    await engine.drain(120_000);
    // Sustained: offer 85 % of the measured capacity for the duration. The calibration ran on a
    // small database; over a long run the tables grow and each write costs more, so a rate is
    // only reported when it was kept up (≥ 98 % of the offer) with p99 under the floor's 1 s.
    // The offer then moves by 7.5 % and the run repeats, on the same (ever larger) database: up
    // while the offers hold, down until one holds. The highest offer that held is reported, found
    // to within 7.5 % in at most five attempts.
    let offered = Math.max(100, Math.floor(capacity * 0.85));
    let direction: 'up' | 'down' | null = null;
    const attempts: {
      offered: number;
      throughput: number;
      p50: number;
      p99: number;
      seconds: number;
      sustained: boolean;
    }[] = [];
    for (;;) {
      engine.setKnobs({ rate: offered });
      engine.latencies.length = 0;
      const t0 = Date.now();
      const ended = await runFor(engine, durationS * 1000);
      const seconds = (Date.now() - t0) / 1000;
      const lat = [...engine.latencies].sort((a, b) => a - b);
      engine.setKnobs({ rate: 0 });
      await engine.drain(300_000);
      const throughput = ended / seconds;
      const p99 = pct(lat, 99);
      const sustained = throughput >= 0.98 * offered && p99 < 1000;
      const attempt = { offered, throughput, p50: pct(lat, 50), p99, seconds, sustained };
      attempts.push(attempt);
      log(
        `offered ${offered}/s: ${Math.round(attempt.throughput)} events/s, p99 ${attempt.p99} ms${sustained ? '' : ' (not sustained)'}`,
      );
      direction ??= sustained ? 'up' : 'down';
      if (sustained !== (direction === 'up') || attempts.length === 5) break;
      offered = direction === 'up' ? Math.ceil(offered * 1.075) : Math.floor(offered * 0.925);
    }
    const held = attempts.filter((a) => a.sustained);
    const reported = held.length > 0 ? held.reduce((a, b) => (b.offered > a.offered ? b : a)) : attempts.at(-1)!;
    const r = reconcile(engine.db);
    if (!r.balanced || r.accountsMismatched || r.inconsistent)
      throw new Error(`ledger not reconciled after the throughput run: ${JSON.stringify(r)}`);
    return {
      throughput: reported.throughput,
      p50: reported.p50,
      p99: reported.p99,
      capacity,
      offered: reported.offered,
      seconds: reported.seconds,
      sustained: reported.sustained,
      attempts,
      sagas: r.sagasByStatus,
    };
  } finally {
    engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function tickUntil(engine: Engine, done: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while (!done()) {
    if (performance.now() - t0 > timeoutMs) throw new Error('bench step timed out');
    const busy = await engine.tick({ generate: false });
    if (!busy) await sleep(1);
  }
  return (performance.now() - t0) / 1000;
}

async function replay(n: number) {
  const dir = benchDir('replay');
  const engine = bulkEngine(dir);
  try {
    await engine.start();
    const to = Date.now() - 1000;
    const from = to - 3_600_000;
    const f0 = performance.now();
    seedArchive(engine.db, n, from, to, NAMES.archiveName);
    log(`replay fixture: ${n} archived events in ${((performance.now() - f0) / 1000).toFixed(1)} s`);
    const dupBefore = engine.counts.duplicates;
    startReplayRow(engine.db, 'bench-replay', NAMES.archiveName, from, to);
    const state = engine.db.prepare<[], { state: string; events_replayed: number }>(
      "SELECT state, events_replayed FROM replays WHERE name = 'bench-replay'",
    );
    const queued = engine.db.prepare<[string], { total: number }>('SELECT total FROM queue_counts WHERE queue = ?');
    const replayed = await tickUntil(engine, () => state.get()!.state === 'COMPLETED', 600_000);
    const drained = replayed + (await tickUntil(engine, () => (queued.get(PROCESSING)?.total ?? 0) === 0, 600_000));
    const duplicates = engine.counts.duplicates - dupBefore;
    if (state.get()!.events_replayed !== n || duplicates !== n)
      throw new Error(
        `replay incomplete: replayed ${state.get()!.events_replayed}, duplicates suppressed ${duplicates} of ${n}`,
      );
    const sagas = engine.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sagas').get()!.n;
    if (sagas !== 0) throw new Error(`replay applied ${sagas} transactions again`);
    return { replayed, drained, duplicates };
  } finally {
    engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function redrive(n: number, rateCheck: number) {
  const dir = benchDir('redrive');
  const engine = bulkEngine(dir);
  try {
    await engine.start();
    seedDlq(engine.db, n, 10_000_000, PROCESSING);
    const task = engine.db.prepare<
      [string],
      { status: string; moved: number; total: number; started_at: number; ended_at: number | null }
    >('SELECT status, moved, total, started_at, ended_at FROM redrive_tasks WHERE id = ?');
    const queued = engine.db.prepare<[string], { total: number }>('SELECT total FROM queue_counts WHERE queue = ?');
    const id = startRedriveRow(engine.db, PROCESSING, null);
    const moved = await tickUntil(engine, () => task.get(id)!.status === 'COMPLETED', 600_000);
    const drained = moved + (await tickUntil(engine, () => (queued.get(PROCESSING)?.total ?? 0) === 0, 600_000));
    if (task.get(id)!.moved !== n) throw new Error(`redrive moved ${task.get(id)!.moved} of ${n}`);
    // At a set rate: rateCheck msg/s over ~6 s worth of messages.
    const m = rateCheck * 6;
    seedDlq(engine.db, m, 20_000_000, PROCESSING);
    const rid = startRedriveRow(engine.db, PROCESSING, rateCheck);
    await tickUntil(engine, () => task.get(rid)!.status === 'COMPLETED', 120_000);
    const t = task.get(rid)!;
    const measured = t.moved / ((t.ended_at! - t.started_at) / 1000);
    return {
      moved,
      drained,
      rateMeasured: measured,
      rateError: (100 * Math.abs(measured - rateCheck)) / rateCheck,
      rateMessages: m,
    };
  } finally {
    engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export default async function engineBench(argv: string[]): Promise<void> {
  const flags = benchFlags(argv, {
    duration: { kind: 'positive', default: 60 },
    replay: { kind: 'whole', default: 1_000_000 },
    redrive: { kind: 'whole', default: 100_000 },
    'redrive-rate': { kind: 'positive', default: 500 },
  });
  const duration = flags.duration;
  const replayN = flags.replay;
  const redriveN = flags.redrive;
  const rateCheck = flags['redrive-rate'];
  const params = {
    durationSeconds: duration,
    replayEvents: replayN,
    redriveMessages: redriveN,
    redriveRate: rateCheck,
    processorBatch: 1000,
  };

  // The ceiling is what the machine can do at best: sampled before and after the sustained
  // phase (the machine's speed drifts between minutes), the higher sample counts, so a slow
  // moment cannot flatter the ratio.
  const ceilingBefore = sqliteCeiling(3, CEILING_VARIANT);
  const constantBodyBefore = sqliteCeiling(3, 'plain');
  log(`sqlite ceiling ${Math.round(ceilingBefore)} rows/s (before)`);
  const tp = await throughput(duration);
  log(
    `throughput ${Math.round(tp.throughput)} events/s (capacity ${Math.round(tp.capacity)}, offered ${tp.offered}), p50 ${tp.p50} ms, p99 ${tp.p99} ms`,
  );
  const ceilingAfter = sqliteCeiling(3, CEILING_VARIANT);
  const ceiling = Math.max(ceilingBefore, ceilingAfter);
  // The constant-body insert, like the metric, is sampled before and after and counts its higher
  // sample, so its ratio is measured the same way as the metric's.
  const constantBody = Math.max(constantBodyBefore, sqliteCeiling(3, 'plain'));
  const variants = {
    constantBody,
    uuidIds: sqliteCeiling(3, 'uuidIds'),
    timeIndex: sqliteCeiling(3, 'timeIndex'),
    uuidIndex: sqliteCeiling(3, 'uuidIndex'),
    enginePages: sqliteCeiling(3, 'plain', ENGINE_PAGE_SIZE),
    pages32KiB: sqliteCeiling(3, 'plain', 32_768),
  };
  log(
    `ceiling variants (rows/s): ${Object.entries(variants)
      .map(([k, v]) => `${k} ${Math.round(v)} (ratio ${(tp.throughput / v).toFixed(4)})`)
      .join(', ')}`,
  );
  log(`sqlite ceiling ${Math.round(ceilingAfter)} rows/s (after); ratio ${(tp.throughput / ceiling).toFixed(4)}`);
  const rp = await replay(replayN);
  log(
    `replay of ${replayN}: replayed in ${rp.replayed.toFixed(1)} s, drained (duplicates suppressed) in ${rp.drained.toFixed(1)} s`,
  );
  const rd = await redrive(redriveN, rateCheck);
  log(
    `redrive of ${redriveN}: moved in ${rd.moved.toFixed(1)} s, drained in ${rd.drained.toFixed(1)} s; at ${rateCheck}/s measured ${rd.rateMeasured.toFixed(1)}/s (error ${rd.rateError.toFixed(2)} %)`,
  );

  const entries: BenchEntry[] = [
    {
      name: 'engine.throughput',
      unit: 'events/s',
      value: tp.throughput,
      extra: {
        ...params,
        capacityEventsPerSecond: tp.capacity,
        offeredEventsPerSecond: tp.offered,
        sustained: tp.sustained,
        measuredSeconds: tp.seconds,
        attempts: tp.attempts,
        sagas: tp.sagas,
      },
    },
    { name: 'engine.latency.p50', unit: 'ms', value: tp.p50, extra: { ...params, offeredEventsPerSecond: tp.offered } },
    { name: 'engine.latency.p99', unit: 'ms', value: tp.p99, extra: { ...params, offeredEventsPerSecond: tp.offered } },
    {
      name: 'sqlite.ceiling',
      unit: 'rows/s',
      value: ceiling,
      extra: {
        rows: 'each row a distinct event (own UUID, time, amount) serialized to JSON for its own insert (STACK.md: realistic JSON rows)',
        rowsPerTransaction: 10_000,
        journal: 'WAL',
        synchronous: 'NORMAL',
        pageSize: DEFAULT_PAGE_SIZE,
        samples: { before: ceilingBefore, after: ceilingAfter },
        variants,
        variantsNote: `not the metric: one constant body text bound again and again with sequential ids (constantBody, the metric until session 6; best of two samples), and that insert with random UUID event ids, with an index on time, with an index on UUID event ids, and with the engine's ${ENGINE_PAGE_SIZE / 1024} KiB pages and with 32 KiB pages instead of SQLite's default 4 KiB (sampled once, after the run)`,
      },
    },
    {
      name: 'engine.ceiling_ratio',
      unit: 'ratio',
      value: tp.throughput / ceiling,
      extra: {
        target: 0.08,
        // Not the metric: the same throughput over the constant-body insert (the cheapest there is).
        ratioToConstantBody: tp.throughput / constantBody,
      },
    },
    {
      name: 'replay.1m.seconds',
      unit: 's',
      value: rp.drained,
      extra: {
        ...params,
        events: replayN,
        replayCompletedSeconds: rp.replayed,
        drainedSeconds: rp.drained,
        duplicatesSuppressed: rp.duplicates,
        note: 'until every replayed event went through bus, queue and processor (duplicate suppressed)',
      },
    },
    {
      name: 'redrive.100k.seconds',
      unit: 's',
      value: rd.moved,
      extra: { ...params, messages: redriveN, taskCompletedSeconds: rd.moved, drainedSeconds: rd.drained },
    },
    {
      name: 'redrive.rate_error',
      unit: 'percent',
      value: rd.rateError,
      extra: { ...params, rate: rateCheck, measuredRate: rd.rateMeasured, messages: rd.rateMessages },
    },
  ];
  const file = writeResults('engine', entries);
  log(`wrote ${file}`);
}
