import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from './engine';
import { removeDataDir, startTestEngine } from './test-support';

/** The demo seed: 30 simulated minutes of traffic with every fault, written on first start. */
describe('the seeded history', () => {
  let engine: Engine;
  const lines: string[] = [];
  let startedAt = 0;

  beforeAll(async () => {
    startedAt = Date.now();
    engine = await startTestEngine('seed', { seed: true, log: (l) => lines.push(l) });
  });
  afterAll(() => {
    const dir = engine.db.name.replace(/\/ledgerline\.db$/, '');
    engine.close();
    removeDataDir(dir);
  });

  it('ends with a firing DLQ alarm and a history of alarm state changes', () => {
    const alarm = engine.db
      .prepare<[], { state: string }>("SELECT state FROM alarms WHERE name = 'ledgerline-local-processing-dlq-depth'")
      .get();
    expect(alarm?.state).toBe('ALARM');
    const changes = engine.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM alarm_history').get()!.n;
    expect(changes).toBeGreaterThan(5);
  });

  it('logs each seeded alarm change with the simulated time it happened at, not only the time it was logged', () => {
    const seeded = lines.filter((l) => l.startsWith('alarm ') && l.includes('[seeded history at '));
    expect(seeded.length).toBeGreaterThan(5);
    for (const line of seeded) {
      const at = Date.parse(/\[seeded history at (\S+)\]$/.exec(line)![1]!);
      // The seed's clock runs over the 30 minutes before the start.
      expect(at).toBeGreaterThanOrEqual(startedAt - 30 * 60_000 - 1000);
      expect(at).toBeLessThan(startedAt);
    }
    // Once the seed is written the engine's clock is the real one again: no mark.
    const ready = lines.find((l) => l.startsWith('engine ready'));
    expect(ready).toBeDefined();
    expect(ready).not.toContain('[seeded history');
  });
});
