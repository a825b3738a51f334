/**
 * Crash safety: `npm run bench -- crash [--kills 20] [--rate 1000]`. SIGKILLs the engine process at
 * random moments under load, restarts it, drains, reconciles. Writes bench/results/crash.json.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { runCrashTest } from '../server/platform/local/crash-harness';
import { benchDir } from './fixtures/bench-dir';
import { writeResults } from './results';

export default async function crash(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { kills: { type: 'string', default: '20' }, rate: { type: 'string', default: '1000' } },
    allowPositionals: true,
  });
  const kills = Number(values.kills);
  const rate = Number(values.rate);
  if (!Number.isInteger(kills) || kills < 1) throw new Error('--kills must be a positive integer');
  if (!(rate > 0)) throw new Error('--rate must be > 0');
  const dataDir = benchDir('crash');
  try {
    const r = await runCrashTest({
      dataDir,
      kills,
      rate,
      minRunMs: 300,
      maxRunMs: 2000,
      drainTimeoutMs: 180_000,
      log: (l) => console.log(`[crash] ${l}`),
    });
    const params = {
      kills,
      offeredRate: rate,
      seconds: r.seconds,
      sagas: r.reconciliation.sagasByStatus,
      balanced: r.reconciliation.balanced,
    };
    console.log(
      `[crash] kills=${r.kills} accepted=${r.accepted} applied=${r.applied} duplicates=${r.duplicates} lost=${r.lost} (${r.seconds.toFixed(1)} s)`,
    );
    writeResults('crash', [
      { name: 'crash.kills', unit: 'count', value: r.kills, extra: params },
      { name: 'crash.accepted', unit: 'transactions', value: r.accepted, extra: params },
      { name: 'crash.applied', unit: 'transactions', value: r.applied, extra: params },
      { name: 'crash.duplicates', unit: 'transactions', value: r.duplicates, extra: params },
      { name: 'crash.lost', unit: 'transactions', value: r.lost, extra: params },
    ]);
    if (r.duplicates !== 0 || r.lost !== 0) process.exitCode = 1;
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
