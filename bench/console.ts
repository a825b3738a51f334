/**
 * Console API under load: `npm run bench -- console [--duration 30] [--connections 50]
 * [--poll-rate 1] [--events 1000000] [--sagas 100000] [--dlq 10000] [--rate 20] [--port 3190] [--keep]`.
 *
 * Builds a data dir holding ≥ 1,000,000 archived events, ≥ 100,000 sagas and ≥ 10,000 DLQ
 * messages (direct SQL, as bench/fixtures/engine-fixtures.ts does for the engine bench), starts
 * the embedded platform with traffic and the console's production build, signs in as a viewer,
 * and runs 50 concurrent pollers (autocannon; each poller polls once per second, 5x the console's
 * own 5 s interval, their phases spread over the second) on the overview's API call for 30 s,
 * then 10 s of the same 50 connections in a closed loop for the saturation figures (in extra). Writes bench/results/console.json:
 * console.api.p50/p95/p99 (ms), console.api.errors, console.first_load_js.max (kB gzipped,
 * largest route, from the build's route bundle stats).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { openDatabase, type Db } from '../infra/embedded/db';
import type { StepRecord } from '../infra/embedded/names';
import { encodeTimeline } from '../infra/embedded/saga-timeline';
import { metricsFor, namesFor, queuePairs } from '../infra/platform/description';
import { compensationsFor, sagaDefinition, type StepName } from '../infra/saga/definition';
import { seedArchive, seedDlq } from './fixtures/engine-fixtures';
import { benchFlags } from './fixtures/flags';
import { writeResults, type BenchEntry } from './results';

/** The slice of autocannon 8's API this bench uses (the package ships no types). */
interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p97_5: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface AutocannonInstance extends Promise<AutocannonResult> {
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void,
  ): void;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  connectionRate?: number;
  duration: number;
  headers: Record<string, string>;
  requests: { method: string; path: string }[];
}) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const log = (line: string) => console.log(`[console] ${line}`);

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const MINUTE = 60_000;

// ------------------------------------------------------------------ fixtures

/** N finished sagas over the last 7 days: 90% succeeded, 8% compensated, 2% failed (realistic step records). */
function seedSagas(db: Db, n: number, now: number): void {
  const insert = db.prepare(
    'INSERT INTO sagas (id, transaction_id, status, started_at, ended_at, failed_step, error, amount, currency, input, steps, cursor, next_run_at, ingest_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)',
  );
  const counts: Record<string, number> = {};
  const span = 7 * 24 * 60 * MINUTE;
  const chunk = 20_000;
  for (let start = 0; start < n; start += chunk) {
    db.transaction(() => {
      for (let i = start; i < Math.min(n, start + chunk); i++) {
        const t = now - span + Math.floor((span * i) / n);
        const r = i % 50;
        const status = r < 45 ? 'SUCCEEDED' : r < 49 ? 'COMPENSATED' : 'FAILED';
        const failed: StepName | null =
          status === 'SUCCEEDED' ? null : status === 'FAILED' ? 'Notify' : 'SettlePayment';
        const id = `bench-saga-${i}`;
        const tx = {
          transactionId: id,
          fromAccount: 'acct-0001',
          toAccount: 'acct-0002',
          amount: 100 + (i % 9000),
          currency: 'USD',
          createdAt: new Date(t).toISOString(),
        };
        const input = JSON.stringify(tx);
        let at = t;
        const rec = (
          name: string,
          kind: StepRecord['kind'],
          state: StepRecord['state'],
          error: string | null = null,
        ): StepRecord => {
          const s = {
            name,
            kind,
            state,
            attempts: state === 'FAILED' ? 3 : 1,
            startedAt: at,
            endedAt: at + 20,
            output: state === 'SUCCEEDED' ? '{"ok":true}' : null,
            error,
          };
          at += 25;
          return s;
        };
        const steps: StepRecord[] = [];
        for (const step of sagaDefinition.steps) {
          if (failed && step.name === failed) {
            steps.push(rec(step.name, 'step', 'FAILED', 'TransientError: downstream unavailable'));
            break;
          }
          steps.push(rec(step.name, 'step', 'SUCCEEDED'));
        }
        if (failed) {
          const comps = compensationsFor(failed);
          comps.forEach((c, k) =>
            steps.push(rec(c, 'compensation', status === 'FAILED' && k === 0 ? 'FAILED' : 'SUCCEEDED')),
          );
        }
        insert.run(
          id,
          id,
          status,
          t,
          at,
          failed,
          failed ? 'TransientError: downstream unavailable' : null,
          100 + (i % 9000),
          'USD',
          input,
          encodeTimeline(steps, t),
          '{"phase":"done","index":0,"attempt":1,"comps":[]}',
          t,
        );
        counts[status] = (counts[status] ?? 0) + 1;
      }
    }).immediate();
  }
  const add = db.prepare(
    'INSERT INTO saga_counts (status, total) VALUES (?, ?) ON CONFLICT(status) DO UPDATE SET total = total + excluded.total',
  );
  for (const [status, total] of Object.entries(counts)) add.run(status, total);
}

/** Per-minute metrics for the last 7 days, consistent with the seeded volume (what charts read). */
function seedMetrics(db: Db, events: number, sagas: number, now: number): void {
  const put = db.prepare('INSERT OR REPLACE INTO metrics (metric, minute, value) VALUES (?, ?, ?)');
  const minutes = 7 * 24 * 60;
  const last = Math.floor(now / MINUTE) - 1;
  const ids = new Set(metricsFor('local').map((m) => m.id));
  db.transaction(() => {
    for (let k = 0; k < minutes; k++) {
      const minute = last - k;
      const ev = events / minutes;
      const sg = sagas / minutes;
      const rows: [string, number][] = [
        ['events.in', ev],
        ['processor.processed', ev],
        ['saga.started', sg],
        ['saga.succeeded', sg * 0.9],
        ['saga.compensated', sg * 0.08],
        ['saga.failed', sg * 0.02],
        ['saga.compensation_rate', 8],
        ['downstream.failure_rate', 2],
      ];
      for (const [id, v] of rows) if (ids.has(id)) put.run(id, minute, Math.round(v * 100) / 100);
    }
  }).immediate();
}

function count(db: Db, sql: string): number {
  return db.prepare<[], { n: number }>(sql).get()!.n;
}

// ------------------------------------------------------------------ processes

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const keep = (b: Buffer) => {
    tail.push(...b.toString().split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== 143 && signal === null)
      console.error(`[console] ${name} exited with ${code}:\n${tail.join('\n')}`);
  });
  return child;
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function signIn(base: string): Promise<string> {
  const response = await fetch(`${base}/api/auth/sign-in`, {
    method: 'POST',
    headers: { origin: base, 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'viewer@ledgerline.local',
      password: process.env.LEDGERLINE_BENCH_PASSWORD ?? 'ledgerline-local',
    }),
    redirect: 'manual',
  });
  if (!response.ok) throw new Error(`sign-in failed: HTTP ${response.status} ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

// ------------------------------------------------------------------ first-load JS

interface RouteStats {
  route: string;
  firstLoadChunkPaths: string[];
}

/** First-load JS per route, gzipped (level 9), from the build's diagnostics/route-bundle-stats.json. */
export function firstLoadJs(distDir: string): { route: string; kB: number }[] {
  const stats = JSON.parse(
    fs.readFileSync(path.join(distDir, 'diagnostics', 'route-bundle-stats.json'), 'utf8'),
  ) as RouteStats[];
  const root = path.dirname(path.resolve(distDir));
  return stats
    .map((r) => ({
      route: r.route,
      kB:
        r.firstLoadChunkPaths.reduce(
          (sum, p) => sum + gzipSync(fs.readFileSync(path.resolve(root, p)), { level: 9 }).length,
          0,
        ) / 1024,
    }))
    .sort((a, b) => b.kB - a.kB);
}

// ------------------------------------------------------------------ run

export default async function run(argv: string[]): Promise<void> {
  const values = benchFlags(
    argv,
    {
      duration: { kind: 'positive', default: 30 },
      connections: { kind: 'count', default: 50 },
      'poll-rate': { kind: 'positive', default: 1 },
      events: { kind: 'whole', default: 1_000_000 },
      sagas: { kind: 'whole', default: 100_000 },
      dlq: { kind: 'whole', default: 10_000 },
      rate: { kind: 'nonNegative', default: 20 },
      port: { kind: 'count', default: 3190 },
    },
    ['keep'],
  );
  const n = { events: values.events, sagas: values.sagas, dlq: values.dlq };
  const port = values.port;
  const base = `http://127.0.0.1:${port}`;
  const distDir = process.env.NEXT_DIST_DIR ?? '.next';
  const dataDir = path.resolve('.data', 'bench-console');

  if (!fs.existsSync(path.join(distDir, 'BUILD_ID'))) {
    log(`building the console into ${distDir}`);
    const b = spawnSync('npx', ['next', 'build'], {
      stdio: 'inherit',
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    if (b.status !== 0) throw new Error('next build failed');
  }
  const bundles = firstLoadJs(distDir);
  log(`largest first-load JS: ${bundles[0]?.route} ${bundles[0]?.kB.toFixed(1)} kB gzipped`);

  // 1. Data: a fresh data dir with the fixtures (direct SQL; the pipeline is benchmarked in engine.json).
  fs.rmSync(dataDir, { recursive: true, force: true });
  const db = openDatabase(dataDir);
  const now = Date.now();
  let t0 = performance.now();
  seedArchive(db, n.events, now - 7 * 24 * 60 * MINUTE, now - 10 * MINUTE, namesFor('local').archiveName);
  seedSagas(db, n.sagas, now);
  seedDlq(db, n.dlq, n.events + 1, queuePairs[0]!.id);
  seedMetrics(db, n.events, n.sagas, now);
  const held = {
    archived: count(db, 'SELECT count(*) AS n FROM archive'),
    sagas: count(db, 'SELECT count(*) AS n FROM sagas'),
    dlq: count(db, `SELECT count(*) AS n FROM messages WHERE queue = '${queuePairs[0]!.id}-dlq'`),
  };
  db.close();
  log(`seeded ${JSON.stringify(held)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (held.archived < n.events || held.sagas < n.sagas || held.dlq < n.dlq)
    throw new Error(`seeding fell short: ${JSON.stringify(held)}`);

  // 2. Engine with traffic, then the console (production build).
  const env = {
    ...process.env,
    LEDGERLINE_DATA_DIR: dataDir,
    LEDGERLINE_BACKEND: 'local',
    LEDGERLINE_STAGE: 'local',
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(port),
  } as NodeJS.ProcessEnv;
  const engine = start(
    'engine',
    process.execPath,
    ['--import', 'tsx', 'infra/embedded/main.ts', '--data-dir', dataDir, '--rate', String(values.rate), '--no-seed'],
    env,
  );
  const consoleServer = start(
    'console',
    process.execPath,
    ['node_modules/next/dist/bin/next', 'start', '-H', '127.0.0.1', '-p', String(port)],
    env,
  );
  const stop = async () => {
    for (const c of [consoleServer, engine]) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(
      [consoleServer, engine].map((c) =>
        c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve(),
      ),
    );
  };
  try {
    await waitFor(`${base}/api/health`, 120_000);
    const cookie = await signIn(base);
    const headers = { cookie, accept: 'application/json' };
    // Warm up (first requests compile routes' server code paths and fill caches).
    for (const r of ['1h', '24h']) {
      const res = await fetch(`${base}/api/platform/overview?range=${r}`, { headers });
      if (!res.ok) throw new Error(`overview ${r}: HTTP ${res.status} ${await res.text()}`);
    }
    await sleep(2000);

    // 3. 50 concurrent pollers on the overview's API call (the overview page polls exactly this
    //    call, every 5 s). Each poller is one autocannon connection polling once per second (5x the
    //    console's rate), the pollers' phases spread over the second as real consoles' are.
    const paths = ['/api/platform/overview?range=1h', '/api/platform/overview?range=24h'];
    const pollers = values.connections;
    const pollRate = values['poll-rate'];
    const duration = values.duration;
    t0 = performance.now();
    const paced = { latencies: [] as number[], errors: 0 };
    await Promise.all(
      Array.from({ length: pollers }, async (_, i) => {
        await sleep(Math.floor((i * 1000) / pollers / pollRate));
        const instance = autocannon({
          url: base,
          connections: 1,
          connectionRate: pollRate,
          duration,
          headers,
          requests: [{ method: 'GET', path: paths[i % paths.length]! }],
        });
        instance.on('response', (_client, _status, _bytes, ms) => paced.latencies.push(ms));
        const r = await instance;
        paced.errors += r.errors + r.timeouts + r.non2xx;
      }),
    );
    const pacedSeconds = (performance.now() - t0) / 1000;
    const loadDuringRun = os.loadavg()[0]!;
    paced.latencies.sort((a, b) => a - b);
    const [p50, p95, p99] = [50, 95, 99].map((p) => pct(paced.latencies, p)) as [number, number, number];
    log(
      `pollers: ${paced.latencies.length} responses in ${pacedSeconds.toFixed(1)} s, p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, errors ${paced.errors}`,
    );

    // 4. Saturation, for context: the same 50 connections in a closed loop (each sends its next
    //    request as soon as the last one answered) for 10 s: throughput and queueing latency.
    const closed: number[] = [];
    const sat = autocannon({
      url: base,
      connections: pollers,
      duration: 10,
      headers,
      requests: paths.map((path) => ({ method: 'GET', path })),
    });
    sat.on('response', (_client, _status, _bytes, ms) => closed.push(ms));
    const satResult = await sat;
    closed.sort((a, b) => a - b);
    const saturation = {
      requestsPerSecond: Math.round(satResult.requests.average),
      p50: pct(closed, 50),
      p95: pct(closed, 95),
      p99: pct(closed, 99),
      errors: satResult.errors + satResult.timeouts + satResult.non2xx,
    };
    log(`closed loop: ${JSON.stringify(saturation)}`);

    const extra = {
      parameters: {
        pollers,
        pollsPerSecondPerPoller: pollRate,
        durationSeconds: duration,
        trafficRate: values.rate,
        requests: paths,
      },
      held,
      responses: paced.latencies.length,
      // 1-minute load average of the machine (all processes, 2 cores shared with other work) at the end of the pollers' run.
      loadAverage1m: Number(loadDuringRun.toFixed(2)),
      saturation: { ...saturation, mode: `closed loop, ${pollers} connections, 10 s` },
    };
    const entries: BenchEntry[] = [
      { name: 'console.api.p50', unit: 'ms', value: p50, extra },
      { name: 'console.api.p95', unit: 'ms', value: p95, extra },
      { name: 'console.api.p99', unit: 'ms', value: p99, extra },
      { name: 'console.api.errors', unit: 'count', value: paced.errors, extra },
      {
        name: 'console.first_load_js.max',
        unit: 'kB',
        value: bundles[0]?.kB ?? NaN,
        extra: { distDir, routes: Object.fromEntries(bundles.map((b) => [b.route, Number(b.kB.toFixed(1))])) },
      },
    ];
    log(`wrote ${writeResults('console', entries)}`);
  } finally {
    await stop();
    if (!values.keep) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
