import { afterEach, describe, expect, it } from 'vitest';
import type { Caller } from '@/server/auth/permissions.schema';
import { dlqOf } from '../../../infra/embedded/db';
import { type Engine } from '../../../infra/embedded/engine';
import { PROCESSING } from '../../../infra/embedded/names';
import { dataDirOf, removeDataDir, startTestEngine, tickUntil } from '../../../infra/embedded/test-support';
import { transactionEnvelope } from '../../../infra/runtime/transaction';
import { redriveTaskSchema } from '../platform.schema';
import { failureClassSummarySchema } from '../triage.schema';
import { createLocalPlatform } from './adapter';

const operator: Caller = { id: 'triage-operator', name: 'Triage operator', role: 'operator' };
const viewer: Caller = { id: 'triage-viewer', name: 'Triage viewer', role: 'viewer' };
const DLQ = dlqOf(PROCESSING);

const valid = (tag: string, i: number, at: number) =>
  transactionEnvelope(
    `ev-${tag}-${i}`,
    {
      transactionId: `tx-${tag}-${i}`,
      fromAccount: 'acct-0001',
      toAccount: 'acct-0002',
      amount: 100 + i,
      currency: 'USD',
      createdAt: new Date(at).toISOString(),
    },
    new Date(at).toISOString(),
  );
/** No toAccount and a string amount: rejected as poison on every receive. */
const poison = (tag: string, i: number, at: number) => {
  const e = valid(tag, i, at) as { detail: Record<string, unknown> };
  const { toAccount: _, ...detail } = e.detail;
  return { ...e, detail: { ...detail, amount: `${i}.50` } };
};

/** 20 transient failures (a processor outage) and 5 poison messages in the DLQ, through the real engine. */
async function outageAndPoison(label: string) {
  const clock = { now: Date.now() };
  const engine = await startTestEngine(label, { clock: () => clock.now });
  const platform = createLocalPlatform({ dataDir: dataDirOf(engine), clock: () => clock.now });
  engine.setKnobs({ processorOutage: true });
  await engine.tx(() =>
    engine.putEvents([
      ...Array.from({ length: 20 }, (_, i) => valid(label, i, clock.now)),
      ...Array.from({ length: 5 }, (_, i) => poison(`${label}-p`, i, clock.now)),
    ]),
  );
  for (let i = 0; i < 4; i++) await engine.processOnce();
  engine.setKnobs({ processorOutage: false });
  return { engine, platform, clock };
}

const dlqCount = (engine: Engine) =>
  engine.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM messages WHERE queue = ?').get(DLQ)!.n;
const indexCount = (engine: Engine) =>
  engine.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM failure_index').get()!.n;

describe('dead-letter triage on the embedded platform', () => {
  let engine: Engine | null = null;
  afterEach(() => {
    if (!engine) return;
    const dir = dataDirOf(engine);
    engine.close();
    removeDataDir(dir);
    engine = null;
  });

  it('groups the DLQ into a retryable outage class and a permanent poison class, with counts and samples', async () => {
    const env = await outageAndPoison('triage-classes');
    engine = env.engine;
    expect(dlqCount(engine)).toBe(25);
    const classes = await env.platform.listFailureClasses(viewer, PROCESSING);
    for (const c of classes) failureClassSummarySchema.parse(c);
    expect(classes.map((c) => [c.errorType, c.step, c.verdict, c.count])).toEqual([
      ['ProcessorOutage', 'process', 'retryable', 20],
      ['PoisonMessageError', 'parse', 'permanent', 5],
    ]);
    expect(classes[1]!.sample.bodyExcerpt).toContain('triage-classes-p');
    expect(classes[0]!.sample.error).toMatch(/^ProcessorOutage: processor unavailable/);
  });

  it('finds a dead letter by transaction id from the index, and nothing for an unknown id', async () => {
    const env = await outageAndPoison('triage-search');
    engine = env.engine;
    const found = await env.platform.searchDeadLetters(viewer, PROCESSING, 'tx-triage-search-7');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ transactionId: 'tx-triage-search-7', errorType: 'ProcessorOutage' });
    expect(await env.platform.searchDeadLetters(viewer, PROCESSING, 'tx-nope')).toEqual([]);
  });

  it('redrives only the retryable class: the 20 are applied once, the 5 poison stay, the index follows', async () => {
    const env = await outageAndPoison('triage-redrive');
    engine = env.engine;
    const [outage, poisonClass] = await env.platform.listFailureClasses(operator, PROCESSING);
    const task = redriveTaskSchema.parse(
      await env.platform.startRedrive(operator, { queueId: PROCESSING, classIds: [outage!.classId] }),
    );
    expect(task).toMatchObject({ selection: 'classes', total: 20, classIds: [outage!.classId] });
    const e = env.engine;
    await tickUntil(e, async () => (await env.platform.getRedrive(operator, task.id))?.status === 'COMPLETED');
    await tickUntil(e, () => e.pending().queued === 0 && e.pending().waitingSagas === 0);
    expect(dlqCount(e)).toBe(5);
    expect(indexCount(e)).toBe(5);
    const sagas = e.db
      .prepare<[], { n: number }>("SELECT count(*) AS n FROM sagas WHERE transaction_id LIKE 'tx-triage-redrive-%'")
      .get()!.n;
    expect(sagas).toBe(20);
    expect((await env.platform.listFailureClasses(viewer, PROCESSING)).map((c) => c.classId)).toEqual([
      poisonClass!.classId,
    ]);
  });

  it('moves a class at the requested rate and can be cancelled like any redrive', async () => {
    const env = await outageAndPoison('triage-rate');
    engine = env.engine;
    const [outage] = await env.platform.listFailureClasses(operator, PROCESSING);
    const task = await env.platform.startRedrive(operator, {
      queueId: PROCESSING,
      classIds: [outage!.classId],
      rate: 1,
    });
    expect(task).toMatchObject({ rate: 1, selection: 'classes' });
    env.clock.now += 3_000; // three seconds at 1 message/s: at most one second of burst plus three
    await env.engine.stepRedrives();
    const moved = (await env.platform.getRedrive(operator, task.id))!.moved;
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThanOrEqual(3);
    expect((await env.platform.cancelRedrive(operator, task.id)).status).toBe('CANCELLING');
    await env.engine.stepRedrives();
    expect(await env.platform.getRedrive(operator, task.id)).toMatchObject({ status: 'CANCELLED', moved });
    expect(dlqCount(env.engine)).toBe(25 - moved);
  });

  it('exports a class with bodies, attributes and errors, then removes exactly those messages', async () => {
    const env = await outageAndPoison('triage-quarantine');
    engine = env.engine;
    const classes = await env.platform.listFailureClasses(viewer, PROCESSING);
    const poisonClass = classes.find((c) => c.verdict === 'permanent')!;
    const exported = await env.platform.exportDeadLetters(viewer, PROCESSING, [poisonClass.classId]);
    expect(exported).toMatchObject({ indexed: 5, complete: true, missing: [] });
    expect(exported.items.map((m) => m.errorType)).toEqual(Array(5).fill('PoisonMessageError'));
    expect(exported.items[0]!.body).toContain('triage-quarantine-p');
    await expect(
      env.platform.removeDeadLetters(
        viewer,
        PROCESSING,
        exported.items.map((m) => m.id),
      ),
    ).rejects.toMatchObject({ code: 'Forbidden' });
    const ids = [...exported.items.map((m) => m.id), '999999'];
    const removed = await env.platform.removeDeadLetters(operator, PROCESSING, ids);
    expect(removed.removed.sort()).toEqual(exported.items.map((m) => m.id).sort());
    expect(removed.notFound).toEqual(['999999']);
    expect(dlqCount(env.engine)).toBe(20);
    expect(indexCount(env.engine)).toBe(20);
    const depth = (await env.platform.listQueuePairs(viewer))[0]!.dlq;
    expect(depth.visible + depth.inFlight).toBe(20);
    await expect(env.platform.removeDeadLetters(operator, PROCESSING, ['0x1'])).rejects.toMatchObject({
      code: 'Invalid',
      field: 'messageIds.0',
    });
  });

  it('refuses a redrive naming both messages and classes, and one of classes with no dead letters', async () => {
    const env = await outageAndPoison('triage-refuse');
    engine = env.engine;
    await expect(
      env.platform.startRedrive(operator, { queueId: PROCESSING, messageIds: ['1'], classIds: ['0123456789abcdef'] }),
    ).rejects.toMatchObject({ code: 'Invalid', field: 'classIds' });
    await expect(
      env.platform.startRedrive(operator, { queueId: PROCESSING, classIds: ['0123456789abcdef'] }),
    ).rejects.toMatchObject({ code: 'Conflict', field: 'classIds' });
  });
});
