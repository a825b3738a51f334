import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '@/server/auth/permissions.schema';
import { type Engine } from '../../../infra/embedded/engine';
import { NAMES, PROCESSING } from '../../../infra/embedded/names';
import { removeDataDir, startTestEngine, tickUntil } from '../../../infra/embedded/test-support';
import { PlatformError } from '../port';
import { createLocalPlatform } from './adapter';

const operator: Caller = { id: 'op-1', name: 'Operator', role: 'operator' };

describe('local adapter specifics', () => {
  let engine: Engine;
  let dataDir: string;
  beforeAll(async () => {
    engine = await startTestEngine('adapter');
    dataDir = engine.db.name.replace(/\/ledgerline\.db$/, '');
    engine.setKnobs({ rate: 0 });
    const events = engine.makeTraffic(40);
    await engine.tx(() => engine.putEvents(events));
    await engine.drain();
  });
  afterAll(() => {
    engine.close();
    removeDataDir(dataDir);
  });

  const window = () => ({
    start: new Date(Date.now() - 600_000).toISOString(),
    end: new Date(Date.now()).toISOString(),
  });

  it('replays only the events matching the pattern, marked with the replay name', async () => {
    const p = createLocalPlatform({ dataDir });
    const preview = await p.previewReplay(operator, {
      archive: NAMES.archiveName,
      window: window(),
      pattern: { source: ['payment.validation'] },
    });
    expect(preview.sample.every((e) => e.source === 'payment.validation')).toBe(true);
    expect(preview.sampleAlreadyApplied).toBe(preview.sample.length);
    const r = await p.startReplay(operator, {
      archive: NAMES.archiveName,
      window: window(),
      pattern: { source: ['payment.validation'] },
      name: 'only-validation',
    });
    // Only the replay loop runs (not the processor), so the replayed messages can be inspected.
    await engine.stepReplays();
    const done = await p.getReplay(operator, r.name);
    expect(done?.state).toBe('COMPLETED');
    expect(done?.eventsReplayed).toBe(preview.count);
    const queued = engine.db
      .prepare<[string], { body: string }>('SELECT body FROM messages WHERE queue = ?')
      .all(PROCESSING);
    expect(queued).toHaveLength(preview.count);
    for (const m of queued) {
      const e = JSON.parse(m.body) as { source: string; 'replay-name': string };
      expect(e.source).toBe('payment.validation');
      expect(e['replay-name']).toBe('only-validation');
    }
    await engine.drain();
  });

  it('refuses an eleventh active replay and a window older than the idempotency horizon', async () => {
    const p = createLocalPlatform({ dataDir });
    for (let i = 0; i < 10; i++)
      await p.startReplay(operator, { archive: NAMES.archiveName, window: window(), name: `bulk-${i}` });
    await expect(p.startReplay(operator, { archive: NAMES.archiveName, window: window() })).rejects.toMatchObject({
      code: 'Throttled',
    });
    const old = {
      start: new Date(Date.now() - 49 * 3_600_000).toISOString(),
      end: new Date(Date.now() - 47 * 3_600_000).toISOString(),
    };
    await expect(p.startReplay(operator, { archive: NAMES.archiveName, window: old })).rejects.toMatchObject({
      code: 'Invalid',
      field: 'window.start',
    });
    for (let i = 0; i < 10; i++) await p.cancelReplay(operator, `bulk-${i}`);
    await tickUntil(engine, async () =>
      (await p.listReplays(operator, { limit: 50 })).items.every((r) => r.state !== 'CANCELLING'),
    );
  });

  it('refuses a redrive of an empty DLQ and of messages that are not in it', async () => {
    const p = createLocalPlatform({ dataDir });
    const e = await p.startRedrive(operator, { queueId: PROCESSING }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PlatformError);
    expect(e).toMatchObject({ code: 'Conflict', field: 'queueId' });
    await expect(p.startRedrive(operator, { queueId: PROCESSING, messageIds: ['999999'] })).rejects.toMatchObject({
      code: 'NotFound',
      field: 'messageIds',
    });
  });

  it('is one cached instance per data directory', () => {
    expect(createLocalPlatform({ dataDir })).toBe(createLocalPlatform({ dataDir }));
  });
});
