/**
 * Engine throughput: `npm run bench -- engine [--duration 60] [--replay 1000000] [--redrive 100000] [--redrive-rate 500]`.
 * Measures, in one run on this machine: the raw better-sqlite3 batched-insert ceiling (the
 * higher of two samples, before and after the sustained phase); the
 * engine's sustained end-to-end throughput (event -> bus -> archive -> queue -> processor ->
 * whole saga -> ledger) and ingest-to-ledger latency; a replay of 1,000,000 archived events;
 * a redrive of 100,000 DLQ messages unthrottled and one at a set rate. Writes bench/results/engine.json.
 */
import { ENGINE_PAGE_SIZE } from '../infra/embedded/db';
import { redrive, replay } from './fixtures/engine-bulk';
import { throughput } from './fixtures/engine-throughput';
import { benchFlags } from './fixtures/flags';
import { benchLog } from './fixtures/measure';
import { CEILING_VARIANT, DEFAULT_PAGE_SIZE, sqliteCeiling } from './fixtures/sqlite-ceiling';
import { writeResults, type BenchEntry } from './results';

const log = benchLog('engine');

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
