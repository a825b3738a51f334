import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as decide } from '@/app/api/approvals/[id]/decision/route';
import { POST as cancelRedrive } from '@/app/api/ops/redrives/[id]/cancel/route';
import { POST as startRedrive } from '@/app/api/ops/redrives/route';
import { POST as cancelReplay } from '@/app/api/ops/replays/[name]/cancel/route';
import { POST as startReplay } from '@/app/api/ops/replays/route';
import { POST as compensate } from '@/app/api/ops/sagas/[id]/compensation/route';
import { dlqOf } from '@/infra/embedded/db';
import { Engine } from '@/infra/embedded/engine';
import { NAMES } from '@/infra/embedded/names';
import { stopWatching } from '@/server/ops/closed-loop';
import { requestCompensation } from '@/server/ops/compensate';
import { getOpsContext } from '@/server/ops/server-context';
import { callerOf, request, type Handler, type RequestOptions } from './harness';

const dataDir = await vi.hoisted(async () =>
  (await import('@/server/platform/local/test-env')).localConsoleEnv('duplicates'),
);

const N = 20;
/** Replay windows relative to one instant, so that adjacent windows of different tests touch exactly. */
const T0 = Date.now();
const at = (hoursBefore: number) => new Date(T0 - hoursBefore * 3_600_000).toISOString();
let sagas: string[] = [];
let deadLetter = '';
const started: string[] = [];

function rows<T>(sql: string, file = 'ledgerline.db'): T[] {
  const db = new Database(path.join(dataDir, file), { readonly: true });
  try {
    return db.prepare<[], T>(sql).all();
  } finally {
    db.close();
  }
}

/**
 * Fires N requests at once at the real route handler (every other one with its own
 * Idempotency-Key: a key never makes a duplicate acceptable) and answers their statuses,
 * bodies and error messages.
 */
async function fire(handler: Handler, params: Record<string, string>, options: () => RequestOptions) {
  const requests = await Promise.all(
    Array.from({ length: N }, (_, i) => {
      const o = options();
      const headers = i % 2 ? { ...o.headers, 'idempotency-key': `dup-${Date.now()}-${i}` } : o.headers;
      return request('/x', { ...o, headers });
    }),
  );
  const responses = await Promise.all(requests.map((r) => handler(r, { params: Promise.resolve(params) })));
  const answers = await Promise.all(
    responses.map(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> })),
  );
  const refused = answers.filter((a) => a.status === 409).map((a) => (a.body.error as { message: string }).message);
  return { statuses: answers.map((a) => a.status), answers, refused };
}

function expectOneOf(statuses: number[], ok: number): void {
  expect(statuses.filter((s) => s === ok)).toHaveLength(1);
  expect(statuses.filter((s) => s === 409)).toHaveLength(N - 1);
}

beforeAll(async () => {
  const engine = new Engine({ dataDir, seed: true, traffic: { rate: 0 }, log: () => undefined });
  await engine.start();
  engine.close();
  const db = new Database(path.join(dataDir, 'ledgerline.db'));
  sagas = db
    .prepare<[], { id: string }>("SELECT id FROM sagas WHERE status = 'SUCCEEDED' ORDER BY id LIMIT 2")
    .all()
    .map((r) => r.id);
  const now = Date.now();
  deadLetter = String(
    db
      .prepare(
        "INSERT INTO messages (queue, body, attributes, sent_at, enqueued_at, visible_at, receive_count, last_error, source_queue, dead, ingest_at) VALUES (?, '{}', '{}', ?, ?, ?, 5, 'test failure', 'processing', 1, ?)",
      )
      .run(dlqOf('processing'), now, now, now, now).lastInsertRowid,
  );
  db.close();
}, 120_000);

afterAll(() => started.forEach((id) => stopWatching(id)));

describe(`${N} identical requests at once: exactly one acts, the others get 409 naming it`, () => {
  let replayName = '';
  let redriveId = '';
  let approvalId = '';

  it('POST /api/ops/replays starts one replay; the others name it (or its start in progress) and its window', async () => {
    const window = { start: at(3), end: at(2) };
    const body = { archive: NAMES.archiveName, window, reason: 'reprocess after fix' };
    const { statuses, answers, refused } = await fire(startReplay, {}, () => ({ as: 'operator', body }));
    expectOneOf(statuses, 200);
    replayName = (answers.find((a) => a.status === 200)!.body.result as { name: string }).name;
    for (const message of refused) {
      expect(message).toMatch(/^window: /);
      expect(message).toContain(window.start);
      expect(message.includes(replayName) || message.includes('already in progress')).toBe(true);
    }
    expect(rows<{ name: string }>('SELECT name FROM replays').map((r) => r.name)).toEqual([replayName]);
  });

  it('still starts replays that overlap none: the next window, or the same window for another source', async () => {
    const status = async (body: object) =>
      (await startReplay(await request('/x', { as: 'operator', body }), { params: Promise.resolve({}) })).status;
    const base = { archive: NAMES.archiveName, reason: 'reprocess after fix' };
    const earlier = { start: at(5), end: at(4) };
    expect(await status({ ...base, window: { start: at(2), end: at(1) } })).toBe(200);
    expect(await status({ ...base, window: earlier, pattern: { source: ['transaction.processing'] } })).toBe(200);
    expect(await status({ ...base, window: earlier, pattern: { source: ['payment.validation'] } })).toBe(200);
    const both = { source: ['transaction.processing', 'payment.validation'] };
    expect(await status({ ...base, window: { start: at(4.5), end: at(3.5) }, pattern: both })).toBe(409);
  });

  it('POST /api/ops/replays/[name]/cancel cancels it once', async () => {
    const { statuses, refused } = await fire(cancelReplay, { name: replayName }, () => ({
      as: 'operator',
      body: { reason: 'wrong window' },
    }));
    expectOneOf(statuses, 200);
    for (const message of refused) expect(message).toMatch(new RegExp(`^name: .*${replayName}`));
  });

  it('POST /api/ops/redrives starts one redrive of the selected message', async () => {
    const body = { queueId: 'processing', messageIds: [deadLetter], reason: 'drain after fix' };
    const { statuses, answers, refused } = await fire(startRedrive, {}, () => ({ as: 'operator', body }));
    expectOneOf(statuses, 200);
    redriveId = (answers.find((a) => a.status === 200)!.body.result as { id: string }).id;
    started.push(redriveId);
    for (const message of refused) expect(message).toMatch(/^queueId: /);
    expect(rows<{ id: string }>('SELECT id FROM redrive_tasks').map((r) => r.id)).toEqual([redriveId]);
  });

  it('POST /api/ops/redrives/[id]/cancel cancels it once', async () => {
    const { statuses, refused } = await fire(cancelRedrive, { id: redriveId }, () => ({
      as: 'operator',
      body: { reason: 'wrong messages' },
    }));
    expectOneOf(statuses, 200);
    for (const message of refused) expect(message).toMatch(new RegExp(`^id: .*${redriveId}`));
  });

  it('POST /api/ops/sagas/[id]/compensation files one request for approval', async () => {
    const body = { mode: 'compensate', reason: 'customer refund', ticket: 'INC-77', reverseCompleted: true };
    const { statuses, answers, refused } = await fire(compensate, { id: sagas[0]! }, () => ({ as: 'operator', body }));
    expectOneOf(statuses, 202);
    approvalId = answers.find((a) => a.status === 202)!.body.approvalId as string;
    for (const message of refused) expect(message).toMatch(new RegExp(`^sagaId: .*(${sagas[0]}|${approvalId})`));
    expect(rows<{ id: string }>('SELECT id FROM approvals', 'console.db').map((r) => r.id)).toEqual([approvalId]);
  });

  it('POST /api/approvals/[id]/decision decides and runs it exactly once', async () => {
    const { statuses, refused } = await fire(decide, { id: approvalId }, () => ({
      as: 'approver',
      body: { decision: 'approve' },
    }));
    expectOneOf(statuses, 200);
    for (const message of refused) expect(message).toMatch(/^approvalId: /);
    const trail = rows<{ action: string; outcome: string }>(
      `SELECT action, outcome FROM audit WHERE approval_id = '${approvalId}' ORDER BY seq`,
      'console.db',
    );
    expect(trail.map((t) => `${t.action}/${t.outcome}`)).toEqual([
      'saga.compensate/requested',
      'approval.approve/approved',
      'saga.compensate/started',
    ]);
  });

  it('compensates a saga once on the path without approval (policy off), whatever the Idempotency-Key', async () => {
    const ops = await getOpsContext();
    const direct = { ...ops, policy: { ...ops.policy, compensationApproval: false } };
    const operator = callerOf('operator');
    const outcomes = await Promise.allSettled(
      Array.from({ length: N }, (_, i) =>
        requestCompensation(
          direct,
          operator,
          sagas[1]!,
          { mode: 'compensate', reason: 'customer refund', ticket: 'INC-78', reverseCompleted: true },
          { requestId: `dup-direct-${i}`, idempotencyKey: i % 2 ? `dup-direct-key-${i}` : null },
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const errors = outcomes.flatMap((o) =>
      o.status === 'rejected' ? [o.reason as { code: string; field: string }] : [],
    );
    expect(errors).toHaveLength(N - 1);
    expect(errors.every((e) => e.code === 'Conflict' && e.field === 'sagaId')).toBe(true);
    const done = rows<{ n: number }>(
      `SELECT count(*) AS n FROM audit WHERE action = 'saga.compensate' AND outcome = 'started' AND target = 'saga:${sagas[1]}'`,
      'console.db',
    );
    expect(done[0]!.n).toBe(1);
  });
});
