import { describe, expect, it } from 'vitest';
import { runCrashTest } from './crash-harness';
import { removeDataDir, tempDataDir } from './test-support';

describe('crash safety', () => {
  it('loses and duplicates nothing when the engine is SIGKILLed 3 times under load', async () => {
    const dataDir = tempDataDir('crash');
    try {
      const r = await runCrashTest({
        dataDir,
        kills: 3,
        rate: 500,
        minRunMs: 400,
        maxRunMs: 1200,
        drainTimeoutMs: 40_000,
      });
      expect(r.kills).toBe(3);
      expect(r.accepted).toBeGreaterThan(100);
      expect(r.lost).toBe(0);
      expect(r.duplicates).toBe(0);
      expect(r.applied).toBe(r.accepted);
      expect(r.reconciliation.balanced).toBe(true);
    } finally {
      removeDataDir(dataDir);
    }
  });
});
