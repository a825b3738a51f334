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
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../infra/embedded/db';
import { namesFor, queuePairs } from '../infra/platform/description';
import { autocannon } from './fixtures/autocannon';
import { count, MINUTE, seedMetrics, seedSagas } from './fixtures/console-fixtures';
import { ensureBuild, signIn, withConsole } from './fixtures/console-processes';
import { seedArchive, seedDlq } from './fixtures/engine-fixtures';
import { firstLoadJs } from './fixtures/first-load-js';
import { benchFlags } from './fixtures/flags';
import { benchLog, pct, sleep } from './fixtures/measure';
import { writeResults, type BenchEntry } from './results';

const log = benchLog('console');

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
  const distDir = process.env.NEXT_DIST_DIR ?? '.next';
  const dataDir = path.resolve('.data', 'bench-console');

  ensureBuild(distDir, log);
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
  const engineArgs = ['--rate', String(values.rate), '--no-seed'];
  await withConsole({ dataDir, port: values.port, engineArgs, keep: values.keep }, async (base) => {
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
  });
}
