import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlqOf } from '@/infra/embedded/db';
import { type Engine } from '@/infra/embedded/engine';
import { NAMES, PROCESSING } from '@/infra/embedded/names';
import { dataDirOf, putTransactions, removeDataDir, startTestEngine, tickUntil } from '@/infra/embedded/test-support';
import type { Caller } from '@/server/auth/permissions.schema';
import { createLocalPlatform } from '@/server/platform/local/adapter';
import { CLOSED_LOOP_CALLER, stopWatchingCompletion } from './closed-loop';
import { requestCompensation } from './compensate';
import { createOpsContext, type OpsContext } from './context';
import { auditCompensationCompletion, auditRedriveCompletion, auditReplayCompletion } from './task-completion';

const operator: Caller = { id: 'u-operator', name: 'Omar Operator', role: 'operator' };
const meta = () => ({ requestId: `req-${Math.random()}`, idempotencyKey: null });
const clock = { now: Date.now() };
let engine: Engine;
let ctx: OpsContext;
let start = 0;

const put = (tag: string, n: number, poison: boolean) => putTransactions(engine, tag, n, poison);
const drain = async () => {
  for (let i = 0; i < 6; i++) await engine.processOnce();
};
const rows = async (action: 'redrive.completed' | 'replay.completed' | 'saga.compensate.completed', q: string) =>
  (await ctx.audit.list({ action, q, limit: 10 })).items;

beforeAll(async () => {
  engine = await startTestEngine('completion', { clock: () => clock.now, log: () => undefined });
  const dataDir = dataDirOf(engine);
  ctx = createOpsContext(createLocalPlatform({ dataDir, clock: () => clock.now }), dataDir, 'local', () => clock.now);
  // 20 transient dead letters (the processor was down) and 10 poison ones.
  start = clock.now;
  engine.knobs = { ...engine.knobs, processorOutage: true };
  await put('ok', 20, false);
  await put('poison', 10, true);
  await drain();
  engine.knobs = { ...engine.knobs, processorOutage: false };
}, 60_000);

afterAll(() => {
  const dir = dataDirOf(engine);
  engine.close();
  removeDataDir(dir);
});

describe('audit rows at completion', () => {
  it("writes a redrive's completion once its moved messages settled: 20 applied, 10 back in the DLQ", async () => {
    const task = await ctx.platform.startRedrive(operator, { queueId: PROCESSING });
    await engine.stepRedrives();
    await engine.stepRedrives();
    expect(await auditRedriveCompletion(ctx, CLOSED_LOOP_CALLER, task.id)).toBe(false);
    expect(await rows('redrive.completed', `redrive:${task.id}`)).toHaveLength(0);
    await drain();
    expect(await auditRedriveCompletion(ctx, CLOSED_LOOP_CALLER, task.id)).toBe(true);
    expect(await auditRedriveCompletion(ctx, CLOSED_LOOP_CALLER, task.id)).toBe(true);
    const written = await rows('redrive.completed', `redrive:${task.id}`);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ outcome: 'succeeded', target: `redrive:${task.id}` });
    expect(written[0]!.reason).toContain('30 of 30 moved; 20 applied, 10 back in the DLQ');
    expect(JSON.parse(written[0]!.result!)).toMatchObject({ outcome: { applied: 20, backInDlq: 10 } });
    const dlq = engine.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM messages WHERE queue = ?');
    expect(dlq.get(dlqOf(PROCESSING))!.n).toBe(10);
  });

  it("writes a replay's completion after the settle delay, with the events that dead-lettered again", async () => {
    clock.now += 1000;
    const window = { start: new Date(start - 1000).toISOString(), end: new Date(clock.now).toISOString() };
    const replay = await ctx.platform.startReplay(operator, { archive: NAMES.archiveName, window });
    await engine.stepReplays();
    await engine.stepReplays();
    await drain();
    expect(await auditReplayCompletion(ctx, CLOSED_LOOP_CALLER, replay.name)).toBe(false);
    clock.now += 150_000;
    expect(await auditReplayCompletion(ctx, CLOSED_LOOP_CALLER, replay.name)).toBe(true);
    const written = await rows('replay.completed', `replay:${replay.name}`);
    expect(written).toHaveLength(1);
    expect(written[0]!.reason).toContain('30 events replayed; 20 applied, 10 back in the DLQ');
  });

  it('records a compensation as started while COMPENSATING, and its final state once the saga ends', async () => {
    const saga = (await ctx.platform.listSagas(operator, { status: 'SUCCEEDED', limit: 1 })).items[0]!;
    const direct = { ...ctx, policy: { ...ctx.policy, compensationApproval: false } };
    const since = new Date(clock.now).toISOString();
    const outcome = await requestCompensation(
      direct,
      operator,
      saga.id,
      { mode: 'compensate', reason: 'customer refund', ticket: 'INC-19', reverseCompleted: true },
      meta(),
    );
    stopWatchingCompletion('compensation', saga.id); // the test checks by hand, without the timer
    expect(outcome.status).toBe('started');
    const requested = (await ctx.audit.list({ action: 'saga.compensate', q: `saga:${saga.id}`, limit: 5 })).items;
    expect(requested.map((e) => e.outcome)).toEqual(['started']);
    expect(JSON.parse(requested[0]!.result!)).toMatchObject({ status: 'COMPENSATING' });
    expect(await auditCompensationCompletion(ctx, operator, saga.id, since)).toBe(false);
    await tickUntil(engine, async () => {
      clock.now += 1000;
      return (await ctx.platform.getSaga(operator, saga.id))!.status === 'COMPENSATED';
    });
    expect(await auditCompensationCompletion(ctx, operator, saga.id, since)).toBe(true);
    expect(await auditCompensationCompletion(ctx, operator, saga.id, since)).toBe(true);
    const done = await rows('saga.compensate.completed', `saga:${saga.id}`);
    const status = (e: (typeof done)[number]) => (JSON.parse(e.result!) as { status: string }).status;
    expect(done.map((e) => [e.outcome, status(e)])).toEqual([['succeeded', 'COMPENSATED']]);
  });
});
