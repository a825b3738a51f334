import { afterEach, describe, expect, it } from 'vitest';
import type { Caller } from '@/server/auth/permissions.schema';
import { dlqOf } from '../../../infra/embedded/db';
import { type Engine } from '../../../infra/embedded/engine';
import { NAMES, PROCESSING } from '../../../infra/embedded/names';
import { dataDirOf, putTransactions, removeDataDir, startTestEngine } from '../../../infra/embedded/test-support';
import { createLocalPlatform } from './adapter';

const operator: Caller = { id: 'outcomes-test', name: 'Outcomes test', role: 'operator' };
const DLQ = dlqOf(PROCESSING);

const put = putTransactions;

const dlqDepth = (engine: Engine) =>
  engine.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM messages WHERE queue = ?').get(DLQ)!.n;

async function drain(engine: Engine) {
  for (let i = 0; i < 6; i++) await engine.processOnce();
}

/**
 * A DLQ holding 20 transient dead letters (the processor was down) and 10 poison ones, on a
 * clock the test moves.
 */
async function mixedDlq(label: string) {
  const clock = { now: Date.now() };
  const engine = await startTestEngine(label, { clock: () => clock.now });
  const platform = createLocalPlatform({ dataDir: dataDirOf(engine), clock: () => clock.now });
  const start = clock.now;
  engine.knobs = { ...engine.knobs, processorOutage: true };
  await put(engine, `${label}-ok`, 20, false);
  await put(engine, `${label}-poison`, 10, true);
  await drain(engine);
  expect(dlqDepth(engine)).toBe(30);
  engine.knobs = { ...engine.knobs, processorOutage: false };
  return { engine, platform, clock, start };
}

describe('outcomes of redrives and replays, and the replay preview, on the embedded platform', () => {
  let engine: Engine | null = null;
  afterEach(() => {
    if (!engine) return;
    const dir = dataDirOf(engine);
    engine.close();
    removeDataDir(dir);
    engine = null;
  });

  it('a mixed redrive (transient and poison) counts 20 applied and 10 back in the DLQ once settled', async () => {
    const env = await mixedDlq('outcome-redrive');
    engine = env.engine;
    const task = await env.platform.startRedrive(operator, { queueId: PROCESSING });
    await env.engine.stepRedrives();
    await env.engine.stepRedrives();
    const moved = await env.platform.getRedrive(operator, task.id);
    expect(moved).toMatchObject({ status: 'COMPLETED', moved: 30 });
    expect(moved?.outcome).toMatchObject({ sent: 30, processed: 0, backInDlq: 0, settled: false });

    await drain(env.engine);
    const done = await env.platform.getRedrive(operator, task.id);
    expect(dlqDepth(env.engine)).toBe(10);
    expect(done?.outcome).toMatchObject({ sent: 30, processed: 30, applied: 20, backInDlq: 10, settled: true });
  });

  it('the replay preview classifies the whole window: how many are applied, will apply and will dead-letter again', async () => {
    const env = await mixedDlq('outcome-preview');
    engine = env.engine;
    // 5 more transactions that were applied.
    await put(env.engine, 'outcome-preview-done', 5, false);
    await drain(env.engine);
    env.clock.now += 1000;
    const window = { start: new Date(env.start - 1000).toISOString(), end: new Date(env.clock.now).toISOString() };
    const preview = await env.platform.previewReplay(operator, { archive: NAMES.archiveName, window });
    expect(preview.count).toBe(35);
    expect(preview.classification).toEqual({
      classified: 35,
      alreadyApplied: 5,
      willApply: 20,
      willDeadLetterAgain: 10,
      willStartSagas: 20,
      withoutTransaction: 0,
      sampled: null,
    });
  });

  it('a replay of a window with poison events counts those that dead-lettered again', async () => {
    const env = await mixedDlq('outcome-replay');
    engine = env.engine;
    env.clock.now += 1000;
    const window = { start: new Date(env.start - 1000).toISOString(), end: new Date(env.clock.now).toISOString() };
    const replay = await env.platform.startReplay(operator, { archive: NAMES.archiveName, window });
    await env.engine.stepReplays();
    await env.engine.stepReplays();
    await drain(env.engine);
    const running = await env.platform.getReplay(operator, replay.name);
    expect(running).toMatchObject({ state: 'COMPLETED', eventsReplayed: 30 });
    expect(running?.outcome).toMatchObject({ sent: 30, applied: 20, backInDlq: 10, settled: false });
    env.clock.now += 150_000;
    expect((await env.platform.getReplay(operator, replay.name))?.outcome?.settled).toBe(true);
  });

  it('a replay can skip the transactions in a DLQ and be rate-limited (events/s)', async () => {
    const env = await mixedDlq('outcome-options');
    engine = env.engine;
    await put(env.engine, 'outcome-options-done', 5, false);
    await drain(env.engine);
    env.clock.now += 1000;
    const window = { start: new Date(env.start - 1000).toISOString(), end: new Date(env.clock.now).toISOString() };
    const archive = NAMES.archiveName;
    const skipping = await env.platform.startReplay(operator, { archive, window, excludeDeadLettered: true });
    await env.engine.stepReplays();
    await env.engine.stepReplays();
    // The 30 dead-lettered transactions are skipped: only the 5 applied ones are sent (and skipped as applied).
    expect(await env.platform.getReplay(operator, skipping.name)).toMatchObject({
      state: 'COMPLETED',
      eventsTotal: 5,
      eventsReplayed: 5,
    });
    const slow = await env.platform.startReplay(operator, { archive, window, rate: 10 });
    await env.engine.stepReplays();
    expect((await env.platform.getReplay(operator, slow.name))?.eventsReplayed).toBe(0);
    env.clock.now += 1000;
    await env.engine.stepReplays();
    expect(await env.platform.getReplay(operator, slow.name)).toMatchObject({ state: 'RUNNING', eventsReplayed: 10 });
    env.clock.now += 3000;
    await env.engine.stepReplays();
    expect(await env.platform.getReplay(operator, slow.name)).toMatchObject({ state: 'COMPLETED', eventsReplayed: 35 });
  });
});
