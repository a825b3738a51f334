/**
 * Crash safety: `npm run bench -- crash [--kills 20] [--rate 1000]`. SIGKILLs the engine process at
 * random moments under load, restarts it, drains, reconciles. Writes bench/results/crash.json.
 */
import fs from 'node:fs';
import { runCrashTest } from '../infra/embedded/crash-harness';
import { benchDir } from './fixtures/bench-dir';
import { benchFlags } from './fixtures/flags';
import { writeResults } from './results';

export default async function crash(argv: string[]): Promise<void> {
  const { kills, rate } = benchFlags(argv, {
    kills: { kind: 'count', default: 20 },
    rate: { kind: 'positive', default: 1000 },
  });
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
