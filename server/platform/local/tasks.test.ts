import { afterEach, describe, expect, it } from 'vitest';
import type { Caller } from '@/server/auth/permissions.schema';
import { dlqOf } from '../../../infra/embedded/db';
import { type Engine } from '../../../infra/embedded/engine';
import { NAMES, PROCESSING } from '../../../infra/embedded/names';
import { dataDirOf, removeDataDir, startTestEngine } from '../../../infra/embedded/test-support';
import { createLocalPlatform } from './adapter';

const operator: Caller = { id: 'tasks-test', name: 'Tasks test', role: 'operator' };
const DLQ = dlqOf(PROCESSING);

/** An engine and a console (a second connection, as the Next.js process) on a clock the test moves. */
async function engineAndConsole(label: string) {
  const clock = { now: Date.now() };
  const engine = await startTestEngine(label, { clock: () => clock.now });
  const platform = createLocalPlatform({ dataDir: dataDirOf(engine), clock: () => clock.now });
  return { engine, platform, clock };
}

/** Messages the processor rejects (no toAccount), so that each receive fails. */
function putPoison(engine: Engine, tag: string, n: number) {
  const time = new Date(engine.now()).toISOString();
  const events = Array.from({ length: n }, (_, i) => ({
    version: '0',
    id: `ev-${tag}-${i}`,
    source: 'transaction.processing',
    'detail-type': 'TransactionSubmitted',
    time,
    detail: { transactionId: `tx-${tag}-${i}`, fromAccount: 'acct-0001', amount: '12.50', currency: 'USD' },
  }));
  return engine.tx(() => engine.putEvents(events));
}

const count = (engine: Engine, queue: string) =>
  engine.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM messages WHERE queue = ?').get(queue)!.n;

/**
 * Runs `console` once, just before the engine's next write transaction begins: what the console
 * process commits between the engine's reading of the active tasks and its BEGIN IMMEDIATE.
 */
function beforeNextEngineTx(engine: Engine, console: () => Promise<unknown>): void {
  const tx = engine.tx.bind(engine);
  let done = false;
  engine.tx = (async (fn: () => unknown) => {
    if (!done) {
      done = true;
      engine.tx = tx;
      await console();
    }
    return tx(fn);
  }) as Engine['tx'];
}

describe('redrive and replay tasks of the embedded platform', () => {
  let engine: Engine | null = null;
  afterEach(() => {
    if (!engine) return;
    const dir = dataDirOf(engine);
    engine.close();
    removeDataDir(dir);
    engine = null;
  });

  async function deadLettered(label: string, n: number) {
    const env = await engineAndConsole(label);
    engine = env.engine;
    await putPoison(env.engine, label, n);
    for (let i = 0; i < 3; i++) await env.engine.processOnce();
    expect(count(env.engine, DLQ)).toBe(n);
    return env;
  }

  it('a redrive cancelled by the console after the engine listed it moves nothing and ends CANCELLED', async () => {
    const { engine, platform } = await deadLettered('redrive-cancel', 50);
    const task = await platform.startRedrive(operator, { queueId: PROCESSING });
    let answered = '';
    beforeNextEngineTx(engine, async () => {
      answered = (await platform.cancelRedrive(operator, task.id)).status;
    });
    await engine.stepRedrives();
    await engine.stepRedrives();
    expect(answered).toBe('CANCELLING');
    const r = await platform.getRedrive(operator, task.id);
    expect(r).toMatchObject({ status: 'CANCELLED', moved: 0 });
    expect(count(engine, DLQ)).toBe(50);
  });

  async function archived(
    label: string,
    platform: ReturnType<typeof createLocalPlatform>,
    e: Engine,
    clock: { now: number },
  ) {
    engine = e;
    await e.tx(() => e.putEvents(e.makeTraffic(20)));
    await e.drain();
    clock.now += 1_000;
    const window = { start: new Date(clock.now - 600_000).toISOString(), end: new Date(clock.now).toISOString() };
    return platform.startReplay(operator, { archive: NAMES.archiveName, window, name: label });
  }

  it('a replay cancelled while the engine picks it up (STARTING) replays nothing and ends CANCELLED', async () => {
    const { engine: e, platform, clock } = await engineAndConsole('replay-starting');
    await archived('r-starting', platform, e, clock);
    let answered = '';
    beforeNextEngineTx(e, async () => {
      answered = (await platform.cancelReplay(operator, 'r-starting')).state;
    });
    for (let i = 0; i < 6; i++) await e.stepReplays(5);
    expect(answered).toBe('CANCELLING');
    expect(await platform.getReplay(operator, 'r-starting')).toMatchObject({ state: 'CANCELLED', eventsReplayed: 0 });
  });

  it('a replay cancelled while it runs replays no further batch and ends CANCELLED', async () => {
    const { engine: e, platform, clock } = await engineAndConsole('replay-running');
    await archived('r-running', platform, e, clock);
    await e.stepReplays(5);
    const running = await platform.getReplay(operator, 'r-running');
    expect(running).toMatchObject({ state: 'RUNNING', eventsReplayed: 5 });
    expect(running!.eventsTotal).toBeGreaterThan(10);
    beforeNextEngineTx(e, () => platform.cancelReplay(operator, 'r-running'));
    for (let i = 0; i < 6; i++) await e.stepReplays(5);
    expect(await platform.getReplay(operator, 'r-running')).toMatchObject({ state: 'CANCELLED', eventsReplayed: 5 });
  });

  it('a rate-limited redrive moves at most one second of its rate after the engine stalled for two minutes', async () => {
    const { engine, platform, clock } = await deadLettered('redrive-stall', 200);
    const task = await platform.startRedrive(operator, { queueId: PROCESSING, rate: 1 });
    clock.now += 120_000;
    const afterStall = await engine.stepRedrives();
    clock.now += 1_000;
    const nextSecond = await engine.stepRedrives();
    expect(afterStall).toBeGreaterThanOrEqual(1);
    expect(afterStall + nextSecond).toBeLessThanOrEqual(2);
    expect((await platform.getRedrive(operator, task.id))!.moved).toBe(afterStall + nextSecond);
  });

  it('a rate-limited redrive stepped more often than its rate moves exactly its rate (the fraction carries over)', async () => {
    const { engine, platform, clock } = await deadLettered('redrive-rate', 200);
    const task = await platform.startRedrive(operator, { queueId: PROCESSING, rate: 7 });
    let moved = 0;
    // 3 s in steps of 30 ms: each step earns 0.21 of a message.
    for (let i = 0; i < 100; i++) {
      clock.now += 30;
      moved += await engine.stepRedrives();
    }
    expect(moved).toBe(21);
    expect((await platform.getRedrive(operator, task.id))!.moved).toBe(21);
  });

  it('a redrive of all moves only what had reached the DLQ when it started, never more than its total', async () => {
    const { engine, platform, clock } = await engineAndConsole('redrive-all');
    // A: received twice, then in flight at a slow consumer.
    await putPoison(engine, 'a', 1);
    await engine.processOnce();
    await engine.processOnce();
    const a = engine.db.prepare<[], { id: number }>("SELECT id FROM messages WHERE transaction_id = 'tx-a-0'").get()!
      .id;
    engine.db.prepare('UPDATE messages SET visible_at = ? WHERE id = ?').run(clock.now + 60_000, a);
    // B (a later, larger id) reaches the DLQ.
    await putPoison(engine, 'b', 1);
    for (let i = 0; i < 3; i++) await engine.processOnce();
    expect(count(engine, DLQ)).toBe(1);
    clock.now += 1_000;
    const task = await platform.startRedrive(operator, { queueId: PROCESSING });
    expect(task.total).toBe(1);
    // While the task runs, A's third receive fails: it reaches the DLQ keeping its smaller id.
    clock.now += 1_000;
    engine.db.prepare('UPDATE messages SET visible_at = ? WHERE id = ?').run(clock.now, a);
    await engine.processOnce();
    expect(engine.db.prepare('SELECT queue FROM messages WHERE id = ?').pluck().get(a)).toBe(DLQ);
    for (let i = 0; i < 3; i++) {
      clock.now += 100;
      await engine.stepRedrives();
    }
    const r = await platform.getRedrive(operator, task.id);
    expect(r).toMatchObject({ status: 'COMPLETED', moved: 1, total: 1 });
    expect(engine.db.prepare('SELECT queue FROM messages WHERE id = ?').pluck().get(a)).toBe(DLQ);
    expect(engine.db.prepare("SELECT queue FROM messages WHERE transaction_id = 'tx-b-0'").pluck().get()).toBe(
      PROCESSING,
    );
  });
});
