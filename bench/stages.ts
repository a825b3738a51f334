/**
 * Where the engine's time goes, per stage: `npm run bench -- stages [--events 300000] [--runs 3]`.
 * Writes bench/results/stages.json. Each run, on a fresh data dir:
 * - ingest only: `events` generated transactions through the bus (validation, archive, queue)
 *   in batches of 1000, nothing processed;
 * - processor only: a second engine on the same database (its own connection, no state from
 *   the first, as a processor in another thread would be) drains that queue: receive, parse,
 *   idempotency, the whole saga, the ledger, delete;
 * - serial: both one after the other. The processor works through the whole backlog with a cold
 *   parse cache, so this is near, not above, what one thread doing both sustains in the engine
 *   bench (same day: 20.1–22.0k here, 18.7k and 21.7k sustained there).
 * The median run is reported. The processor-only rate is about the ceiling of an engine whose bus
 * runs on the second core.
 */
import fs from 'node:fs';
import { Engine } from '../infra/embedded/engine';
import { PROCESSING } from '../infra/embedded/names';
import { reconcile } from '../infra/embedded/reconcile';
import { benchDir } from './fixtures/bench-dir';
import { benchFlags } from './fixtures/flags';
import { benchLog } from './fixtures/measure';
import { writeResults } from './results';

const BATCH = 1000;
const log = benchLog('stages');

function engineOn(dir: string): Engine {
  return new Engine({ dataDir: dir, seed: false, batchSize: BATCH, backgroundCheckpoint: true, traffic: { rate: 0 } });
}

async function once(events: number) {
  const dir = benchDir('stages');
  const bus = engineOn(dir);
  let processor: Engine | null = null;
  try {
    await bus.start();
    let t0 = performance.now();
    for (let made = 0; made < events; made += BATCH) {
      const batch = bus.makeTraffic(Math.min(BATCH, events - made));
      await bus.tx(() => bus.putEvents(batch));
    }
    const ingestSeconds = (performance.now() - t0) / 1000;
    bus.close();
    processor = engineOn(dir);
    await processor.start();
    t0 = performance.now();
    let processed = 0;
    for (;;) {
      const n = await processor.processOnce();
      if (n === 0) break;
      processed += n;
    }
    const processorSeconds = (performance.now() - t0) / 1000;
    const queued = processor.pending().queued;
    const r = reconcile(processor.db);
    if (processed !== events || queued !== 0 || !r.balanced || r.accountsMismatched || r.inconsistent)
      throw new Error(
        `stages: processed ${processed} of ${events}, ${queued} left in ${PROCESSING}, ${JSON.stringify(r)}`,
      );
    return {
      ingest: events / ingestSeconds,
      processor: events / processorSeconds,
      serial: events / (ingestSeconds + processorSeconds),
    };
  } finally {
    if (bus.db.open) bus.close();
    processor?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export default async function stagesBench(argv: string[]): Promise<void> {
  const flags = benchFlags(argv, {
    events: { kind: 'count', default: 300_000 },
    runs: { kind: 'count', default: 3 },
  });
  const events = flags.events;
  const runs: Awaited<ReturnType<typeof once>>[] = [];
  for (let i = 0; i < flags.runs; i++) {
    const r = await once(events);
    log(
      `run ${i + 1}: ingest only ${Math.round(r.ingest)}/s, processor only ${Math.round(r.processor)}/s, serial ${Math.round(r.serial)}/s`,
    );
    runs.push(r);
  }
  const median = (k: keyof (typeof runs)[number]) =>
    [...runs.map((r) => r[k])].sort((a, b) => a - b)[runs.length >> 1]!;
  const params = { events, runs: runs.length, batch: BATCH, samples: runs };
  const file = writeResults('stages', [
    { name: 'stages.ingest_only', unit: 'events/s', value: median('ingest'), extra: params },
    { name: 'stages.processor_only', unit: 'events/s', value: median('processor'), extra: params },
    { name: 'stages.serial', unit: 'events/s', value: median('serial'), extra: params },
  ]);
  log(`wrote ${file}`);
}
