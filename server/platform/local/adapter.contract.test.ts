import { afterAll } from 'vitest';
import type { Engine } from '../../../infra/embedded/engine';
import { removeDataDir, startTestEngine, tickUntil } from '../../../infra/embedded/test-support';
import { runPlatformContract } from '../contract/platform-contract';
import { createLocalPlatform } from './adapter';

let engine: Engine | undefined;
afterAll(() => {
  if (!engine) return;
  const dir = engine.db.name.replace(/\/ledgerline\.db$/, '');
  engine.close();
  removeDataDir(dir);
});

runPlatformContract('local adapter', async () => {
  // A seeded engine: 30 simulated minutes of traffic with every fault, run in-process.
  engine = await startTestEngine('contract', { seed: true, retryTimeScale: 0.01 });
  const e = engine;
  await e.drain(30_000);
  e.flushMetrics();
  e.evaluateAlarms();
  const dataDir = e.db.name.replace(/\/ledgerline\.db$/, '');
  return {
    platform: createLocalPlatform({ dataDir }),
    mutations: true,
    settle: (done, timeoutMs) => tickUntil(e, done, timeoutMs),
    compensableSagaId: () =>
      Promise.resolve(
        e.db
          .prepare<[], { id: string }>(
            "SELECT id FROM sagas WHERE status = 'SUCCEEDED' ORDER BY started_at DESC LIMIT 1",
          )
          .get()?.id ?? null,
      ),
  };
});
