import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dlqOf } from '@/infra/embedded/db';
import { Engine } from '@/infra/embedded/engine';
import { alarmName } from '@/infra/platform/description';
import { routeContext, seededCaller, testRequest } from '@/server/auth/testing';
import { closedLoopCheck, isWatched, stopWatching } from '@/server/ops/closed-loop';
import type { RedriveStatusResponse } from '@/server/ops/ops.schema';
import { startRedrive } from '@/server/ops/redrive';
import { forgetOpsContext, getOpsContext } from '@/server/ops/server-context';
import { createLocalPlatform } from '@/server/platform/local/adapter';
import type { RedriveTask } from '@/server/platform/platform.schema';
import { GET } from './route';

const dataDir = await vi.hoisted(async () =>
  (await import('@/server/platform/local/test-env')).localConsoleEnv('redrive-status'),
);

const operator = seededCaller('operator');
const viewer = seededCaller('viewer');
let engine: Engine;
let task: RedriveTask;

beforeAll(async () => {
  engine = new Engine({ dataDir, seed: true, traffic: { rate: 0 }, log: () => undefined });
  await engine.start();
  engine.close(); // nothing moves the redrive on: it stays RUNNING until someone cancels it
  const db = createLocalPlatform({ dataDir }).db;
  const now = Date.now();
  const insert = db.prepare(
    "INSERT INTO messages (queue, body, attributes, sent_at, enqueued_at, visible_at, receive_count, last_error, source_queue, dead, ingest_at) VALUES (?, '{}', '{}', ?, ?, ?, 5, 'test failure', 'processing', 1, ?)",
  );
  db.transaction(() => {
    for (let i = 0; i < 5; i++) insert.run(dlqOf('processing'), now, now, now, now);
    db.prepare(
      'INSERT INTO queue_counts (queue, total) VALUES (?, 5) ON CONFLICT(queue) DO UPDATE SET total = total + 5',
    ).run(dlqOf('processing'));
  })();
  const ctx = await getOpsContext();
  const started = await startRedrive(
    ctx,
    operator,
    { queueId: 'processing', reason: 'drain after the fix' },
    { requestId: 'req-start', idempotencyKey: null },
  );
  if (started.status !== 'started') throw new Error('expected the redrive to start without an approval');
  task = started.result;
  stopWatching(task.id); // the test drives the watcher's check itself
  forgetOpsContext(); // a console restart: the server's next ops context re-arms the watcher for running tasks
  // The consumer's error alarm fires after the redrive started.
  db.prepare(
    'INSERT INTO alarms (name, state, reason, since, evaluated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since',
  ).run(
    alarmName('local', 'processor-errors'),
    'ALARM',
    'Threshold crossed: 12 errors',
    Date.parse(task.startedAt) + 1000,
    now,
  );
}, 120_000);

afterAll(() => {
  stopWatching(task.id);
  engine.close();
});

async function poll(caller = viewer) {
  const response = await GET(
    await testRequest(`/api/ops/redrives/${task.id}`, { caller }),
    routeContext({ id: task.id }),
  );
  return { status: response.status, body: (await response.json()) as RedriveStatusResponse };
}

describe('GET /api/ops/redrives/[id] and the closed loop', () => {
  it('answers a viewer polling while the consumer error alarm fires with the running task, and cancels nothing', async () => {
    const ctx = await getOpsContext();
    const { status, body } = await poll();

    expect(status).toBe(200);
    expect(body.task.id).toBe(task.id);
    expect(body.task.status).toBe('RUNNING');
    expect(body.pause).toBeNull();
    expect((await ctx.platform.getRedrive(operator, task.id))!.status).toBe('RUNNING');
    expect((await ctx.audit.list({ action: 'redrive.pause', q: `redrive:${task.id}`, limit: 5 })).items).toHaveLength(
      0,
    );
    expect(isWatched(task.id)).toBe(true); // the poll re-arms the system watcher, the only place that pauses
    stopWatching(task.id);
  });

  it("pauses the redrive from the watcher as the system, audited with the task's real starter, and the next poll shows the pause", async () => {
    const ctx = await getOpsContext();
    const checked = await closedLoopCheck(ctx, task.id);

    expect(checked?.pause?.reason).toMatch(/processor-errors alarm fired/);
    expect(checked?.task.status).not.toBe('RUNNING');
    const entries = (await ctx.audit.list({ action: 'redrive.pause', q: `redrive:${task.id}`, limit: 5 })).items;
    expect(entries.map((e): unknown[] => [e.actorId, e.outcome, JSON.parse(e.inputs ?? '{}') as unknown])).toEqual([
      ['system:closed-loop', 'paused', { id: task.id, startedBy: operator.id }],
    ]);
    const { status, body } = await poll();
    expect(status).toBe(200);
    expect(body.pause?.remaining).toBe(task.total - task.moved);
  });
});
