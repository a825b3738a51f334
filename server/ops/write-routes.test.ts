import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as decide } from '@/app/api/approvals/[id]/decision/route';
import { POST as cancelRedrive } from '@/app/api/ops/redrives/[id]/cancel/route';
import { POST as startRedrive } from '@/app/api/ops/redrives/route';
import { POST as cancelReplay } from '@/app/api/ops/replays/[name]/cancel/route';
import { POST as previewReplay } from '@/app/api/ops/replays/preview/route';
import { POST as startReplay } from '@/app/api/ops/replays/route';
import { POST as previewCompensation } from '@/app/api/ops/sagas/[id]/compensation/preview/route';
import { POST as compensate } from '@/app/api/ops/sagas/[id]/compensation/route';
import { Engine } from '@/infra/embedded/engine';
import { NAMES } from '@/infra/embedded/names';
import { SqliteApprovalStore } from '@/server/approvals/store';
import { can, roles, type Caller, type Permission } from '@/server/auth/permissions.schema';
import { routeContext, seededCaller, testRequest, type TestRequestOptions } from '@/server/auth/testing';
import { consoleDb } from '@/server/db/console-db';

const dataDir = await vi.hoisted(async () => (await import('@/server/platform/local/test-env')).localConsoleEnv('ops'));

type Handler = (request: Request, context: ReturnType<typeof routeContext>) => Promise<Response>;
const operator = seededCaller('operator');
const admin = seededCaller('admin');
const archive = NAMES.archiveName;
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
const lastHour = () => ({ start: hoursAgo(1), end: new Date(Date.now() - 1000).toISOString() });

let succeededSaga = '';
let pendingByAdmin = '';
let pendingByOperator = '';
let expired = '';
let engine: Engine;

async function call(handler: Handler, url: string, params: Record<string, string>, o: TestRequestOptions) {
  const response = await handler(await testRequest(url, o), routeContext(params));
  const body = (await response.json()) as { error?: { message: string; field?: string } };
  return { status: response.status, body };
}

beforeAll(async () => {
  engine = new Engine({ dataDir, seed: true, traffic: { rate: 0 }, log: () => undefined });
  await engine.start();
  engine.close();
  const db = new Database(path.join(dataDir, 'ledgerline.db'), { readonly: true });
  succeededSaga = db.prepare<[], { id: string }>("SELECT id FROM sagas WHERE status = 'SUCCEEDED' LIMIT 1").get()!.id;
  db.close();
  // A guarded request by the admin (for self-approval), a used idempotency key, an expired approval.
  const r = await call(
    compensate,
    '/x',
    { id: succeededSaga },
    { caller: admin, body: { mode: 'compensate', reason: 'customer refund', ticket: 'INC-7', reverseCompleted: true } },
  );
  pendingByAdmin = (r.body as unknown as { approvalId: string }).approvalId;
  const o = await call(
    compensate,
    '/x',
    { id: succeededSaga },
    {
      caller: operator,
      body: { mode: 'compensate', reason: 'customer refund', ticket: 'INC-8', reverseCompleted: true },
    },
  );
  pendingByOperator = (o.body as unknown as { approvalId: string }).approvalId;
  await call(
    startReplay,
    '/x',
    {},
    {
      caller: operator,
      idempotencyKey: 'key-used-once',
      body: { archive, window: lastHour(), reason: 'reprocess after fix' },
    },
  );
  expired = (
    await new SqliteApprovalStore(consoleDb(dataDir)).create(
      {
        action: 'saga.compensate',
        target: `saga:${succeededSaga}`,
        input: { sagaId: succeededSaga, mode: 'compensate', reason: 'old' },
        preview: null,
        reason: 'old',
        ticket: 'INC-1',
        requester: operator,
        ttlMinutes: 60,
      },
      Date.now() - 2 * 3_600_000,
    )
  ).id;
}, 120_000);

afterAll(() => engine.close());

function snapshot(): string {
  const p = new Database(path.join(dataDir, 'ledgerline.db'), { readonly: true });
  const c = new Database(path.join(dataDir, 'console.db'), { readonly: true });
  const q = (db: Database.Database, sql: string) => JSON.stringify(db.prepare(sql).all());
  const out = [
    q(p, 'SELECT id, status, moved FROM redrive_tasks ORDER BY id'),
    q(p, 'SELECT name, state FROM replays ORDER BY name'),
    q(p, 'SELECT id, status, steps FROM sagas ORDER BY id'),
    q(p, 'SELECT sum(balance) AS b, sum(held) AS h FROM accounts'),
    q(p, 'SELECT queue, total FROM queue_counts ORDER BY queue'),
    q(c, 'SELECT count(*) AS n, max(seq) AS s FROM audit'),
    q(c, 'SELECT id, status FROM approvals ORDER BY id'),
    q(c, 'SELECT key, status, fingerprint FROM idempotency ORDER BY key'),
  ].join('\n');
  p.close();
  c.close();
  return out;
}

/** The params of a route on the seeded SUCCEEDED saga, read when the request is made (after beforeAll). */
const theSucceededSaga = {
  get id() {
    return succeededSaga;
  },
};

describe('bad requests change nothing', () => {
  const op = (body: unknown, extra: TestRequestOptions = {}): TestRequestOptions => ({
    caller: operator,
    body,
    ...extra,
  });
  const redrive = { queueId: 'processing', reason: 'drain after fix' };
  const replay = () => ({ archive, window: lastHour(), reason: 'reprocess after fix' });
  const cases: [string, Handler, Record<string, string>, () => TestRequestOptions, string][] = [
    ['redrive: queueId missing', startRedrive, {}, () => op({ reason: 'x y z' }), 'queueId'],
    ['redrive: queueId a number', startRedrive, {}, () => op({ ...redrive, queueId: 7 }), 'queueId'],
    ['redrive: queueId empty', startRedrive, {}, () => op({ ...redrive, queueId: '' }), 'queueId'],
    ['redrive: unknown queue', startRedrive, {}, () => op({ ...redrive, queueId: 'nope' }), 'queueId'],
    ['redrive: rate above 500', startRedrive, {}, () => op({ ...redrive, rate: 501 }), 'rate'],
    ['redrive: rate 0', startRedrive, {}, () => op({ ...redrive, rate: 0 }), 'rate'],
    ['redrive: rate negative', startRedrive, {}, () => op({ ...redrive, rate: -5 }), 'rate'],
    ['redrive: rate fractional', startRedrive, {}, () => op({ ...redrive, rate: 2.5 }), 'rate'],
    ['redrive: rate a string', startRedrive, {}, () => op({ ...redrive, rate: '100' }), 'rate'],
    ['redrive: messageIds empty', startRedrive, {}, () => op({ ...redrive, messageIds: [] }), 'messageIds'],
    ['redrive: messageIds not strings', startRedrive, {}, () => op({ ...redrive, messageIds: [1, 2] }), 'messageIds.0'],
    [
      'redrive: messageIds not in the DLQ',
      startRedrive,
      {},
      () => op({ ...redrive, messageIds: ['999999999'] }),
      'messageIds',
    ],
    ['redrive: reason missing', startRedrive, {}, () => op({ queueId: 'processing' }), 'reason'],
    ['redrive: reason too short', startRedrive, {}, () => op({ ...redrive, reason: 'x' }), 'reason'],
    ['redrive: reason blank', startRedrive, {}, () => op({ ...redrive, reason: '     ' }), 'reason'],
    ['redrive: reason too long', startRedrive, {}, () => op({ ...redrive, reason: 'x'.repeat(501) }), 'reason'],
    ['redrive: malformed ticket', startRedrive, {}, () => op({ ...redrive, ticket: 'see slack' }), 'ticket'],
    ['redrive: unknown field', startRedrive, {}, () => op({ ...redrive, force: true }), ''],
    ['redrive: body not JSON', startRedrive, {}, () => op('{not json'), 'body'],
    ['redrive: body an array', startRedrive, {}, () => op([redrive]), ''],
    ['redrive: forged Origin', startRedrive, {}, () => op(redrive, { origin: 'https://evil.example' }), 'origin'],
    ['redrive: no Origin', startRedrive, {}, () => op(redrive, { origin: null }), 'origin'],
    [
      'redrive: Origin with another port',
      startRedrive,
      {},
      () => op(redrive, { origin: 'http://127.0.0.1:4000' }),
      'origin',
    ],
    ['redrive: missing CSRF token', startRedrive, {}, () => op(redrive, { csrf: null }), 'x-csrf-token'],
    [
      'redrive: wrong CSRF token',
      startRedrive,
      {},
      () => op(redrive, { csrf: 'forged-token-forged-token-forged-token-forge' }),
      'x-csrf-token',
    ],
    [
      'redrive: cross-site fetch',
      startRedrive,
      {},
      () => op(redrive, { headers: { 'sec-fetch-site': 'cross-site' } }),
      'sec-fetch-site',
    ],
    [
      'redrive: malformed Idempotency-Key',
      startRedrive,
      {},
      () => op(redrive, { idempotencyKey: 'bad key!' }),
      'Idempotency-Key',
    ],
    ['redrive: as viewer', startRedrive, {}, () => ({ caller: seededCaller('viewer'), body: redrive }), ''],
    ['redrive: as approver', startRedrive, {}, () => ({ caller: seededCaller('approver'), body: redrive }), ''],
    ['redrive: not signed in', startRedrive, {}, () => ({ body: redrive }), ''],
    ['cancel redrive: unknown task', cancelRedrive, { id: 'redrive-nope' }, () => op({ reason: 'stop it now' }), 'id'],
    ['cancel redrive: reason missing', cancelRedrive, { id: 'redrive-nope' }, () => op({}), 'reason'],
    ['preview: archive missing', previewReplay, {}, () => op({ window: lastHour() }), 'archive'],
    ['preview: unknown archive', previewReplay, {}, () => op({ archive: 'nope', window: lastHour() }), 'archive'],
    [
      'preview: window reversed',
      previewReplay,
      {},
      () => op({ archive, window: { start: lastHour().end, end: lastHour().start } }),
      'window.start',
    ],
    [
      'preview: window start not a time',
      previewReplay,
      {},
      () => op({ archive, window: { start: 'yesterday', end: lastHour().end } }),
      'window.start',
    ],
    [
      'preview: window end missing',
      previewReplay,
      {},
      () => op({ archive, window: { start: hoursAgo(1) } }),
      'window.end',
    ],
    [
      'preview: window outside retention',
      previewReplay,
      {},
      () => op({ archive, window: { start: hoursAgo(31 * 24), end: hoursAgo(30 * 24 + 1) } }),
      'window.start',
    ],
    [
      'preview: window in the future',
      previewReplay,
      {},
      () => op({ archive, window: { start: hoursAgo(1), end: hoursAgo(-2) } }),
      'window.end',
    ],
    [
      'preview: pattern source not a list',
      previewReplay,
      {},
      () => op({ archive, window: lastHour(), pattern: { source: 'x' } }),
      'pattern.source',
    ],
    [
      'preview: pattern with 11 sources',
      previewReplay,
      {},
      () => op({ archive, window: lastHour(), pattern: { source: Array.from({ length: 11 }, (_, i) => `s${i}`) } }),
      'pattern.source',
    ],
    ['replay: reason missing', startReplay, {}, () => op({ archive, window: lastHour() }), 'reason'],
    [
      'replay: older than the idempotency horizon',
      startReplay,
      {},
      () => op({ ...replay(), window: { start: hoursAgo(72), end: hoursAgo(1) } }),
      'window.start',
    ],
    ['replay: invalid name', startReplay, {}, () => op({ ...replay(), name: 'has spaces' }), 'name'],
    [
      'replay: same Idempotency-Key, other inputs',
      startReplay,
      {},
      () => op({ ...replay(), window: { start: hoursAgo(2), end: hoursAgo(1) } }, { idempotencyKey: 'key-used-once' }),
      'Idempotency-Key',
    ],
    ['replay: as approver', startReplay, {}, () => ({ caller: seededCaller('approver'), body: replay() }), ''],
    ['cancel replay: unknown replay', cancelReplay, { name: 'nope' }, () => op({ reason: 'stop it now' }), 'name'],
    [
      'compensation preview: unknown saga',
      previewCompensation,
      { id: 'saga-nope' },
      () => op({ mode: 'compensate' }),
      'sagaId',
    ],
    ['compensation preview: bad mode', previewCompensation, { id: succeededSaga }, () => op({ mode: 'undo' }), 'mode'],
    [
      'compensate: reason missing',
      compensate,
      { id: succeededSaga },
      () => op({ mode: 'compensate', ticket: 'INC-9' }),
      'reason',
    ],
    [
      'compensate: ticket missing',
      compensate,
      { id: succeededSaga },
      () => op({ mode: 'compensate', reason: 'refund' }),
      'ticket',
    ],
    [
      'compensate: unknown saga',
      compensate,
      { id: 'saga-nope' },
      () => op({ mode: 'compensate', reason: 'refund', ticket: 'INC-9' }),
      'sagaId',
    ],
    [
      'compensate: a succeeded saga without confirming the reversal of a completed payment',
      compensate,
      theSucceededSaga,
      () => op({ mode: 'compensate', reason: 'refund', ticket: 'INC-9' }),
      'reverseCompleted',
    ],
    [
      'compensate: a succeeded saga with the reversal declined',
      compensate,
      theSucceededSaga,
      () => op({ mode: 'compensate', reason: 'refund', ticket: 'INC-9', reverseCompleted: false }),
      'reverseCompleted',
    ],
    [
      'compensate: reverseCompleted not a boolean',
      compensate,
      theSucceededSaga,
      () => op({ mode: 'compensate', reason: 'refund', ticket: 'INC-9', reverseCompleted: 'yes' }),
      'reverseCompleted',
    ],
    [
      'compensate: resume a succeeded saga',
      compensate,
      { id: succeededSaga },
      () => op({ mode: 'resume', reason: 'retry it', ticket: 'INC-9' }),
      'sagaId',
    ],
    [
      'approval: self-approval',
      decide,
      { id: pendingByAdmin },
      () => ({ caller: admin, body: { decision: 'approve' } }),
      'approvalId',
    ],
    [
      'approval: decision unknown',
      decide,
      { id: pendingByAdmin },
      () => ({ caller: seededCaller('approver'), body: { decision: 'maybe' } }),
      'decision',
    ],
    [
      'approval: reject without a comment',
      decide,
      { id: pendingByAdmin },
      () => ({ caller: seededCaller('approver'), body: { decision: 'reject' } }),
      'comment',
    ],
    [
      'approval: unknown request',
      decide,
      { id: 'apr-nope' },
      () => ({ caller: seededCaller('approver'), body: { decision: 'approve' } }),
      'approvalId',
    ],
    [
      'approval: expired',
      decide,
      { id: expired },
      () => ({ caller: seededCaller('approver'), body: { decision: 'approve' } }),
      'approvalId',
    ],
    ['approval: as operator', decide, { id: pendingByAdmin }, () => op({ decision: 'approve' }), ''],
    [
      'approval: missing CSRF token',
      decide,
      { id: pendingByAdmin },
      () => ({ caller: seededCaller('approver'), body: { decision: 'approve' }, csrf: null }),
      'x-csrf-token',
    ],
  ];

  it(`answers each of ${cases.length} bad requests with a 4xx naming the field, and platform and audit state do not change`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    const before = snapshot();
    const failures: string[] = [];
    for (const [label, handler, params, options, field] of cases) {
      const { status, body } = await call(handler, '/api/ops/x', params, options());
      const message = body.error?.message ?? '';
      if (status < 400 || status > 499) failures.push(`${label}: HTTP ${status}`);
      else if (!message) failures.push(`${label}: no message`);
      else if (field && body.error?.field !== field && !message.startsWith(`${field}:`))
        failures.push(`${label}: field ${body.error?.field} / ${message}`);
    }
    expect(failures).toEqual([]);
    expect(snapshot()).toBe(before);
  });
});

describe('every mutating endpoint x every role', () => {
  const sagaParams = () => ({ id: succeededSaga });
  const endpoints: {
    name: string;
    handler: Handler;
    permission: Permission;
    params: () => Record<string, string>;
    body: () => unknown;
  }[] = [
    {
      name: 'POST /api/ops/redrives',
      handler: startRedrive,
      permission: 'queue.redrive',
      params: () => ({}),
      body: () => ({ queueId: 'processing', rate: 50, reason: 'matrix' }),
    },
    {
      name: 'POST /api/ops/redrives/[id]/cancel',
      handler: cancelRedrive,
      permission: 'queue.redrive.cancel',
      params: () => ({ id: 'redrive-none' }),
      body: () => ({ reason: 'matrix' }),
    },
    {
      name: 'POST /api/ops/replays/preview',
      handler: previewReplay,
      permission: 'archive.replay',
      params: () => ({}),
      body: () => ({ archive, window: lastHour() }),
    },
    {
      name: 'POST /api/ops/replays',
      handler: startReplay,
      permission: 'archive.replay',
      params: () => ({}),
      body: () => ({ archive, window: lastHour(), reason: 'matrix' }),
    },
    {
      name: 'POST /api/ops/replays/[name]/cancel',
      handler: cancelReplay,
      permission: 'archive.replay.cancel',
      params: () => ({ name: 'none' }),
      body: () => ({ reason: 'matrix' }),
    },
    {
      name: 'POST /api/ops/sagas/[id]/compensation/preview',
      handler: previewCompensation,
      permission: 'saga.compensate',
      params: sagaParams,
      body: () => ({ mode: 'compensate' }),
    },
    {
      name: 'POST /api/ops/sagas/[id]/compensation',
      handler: compensate,
      permission: 'saga.compensate',
      params: sagaParams,
      body: () => ({ mode: 'compensate', reason: 'matrix', ticket: 'INC-2' }),
    },
    {
      name: 'POST /api/approvals/[id]/decision',
      handler: decide,
      permission: 'approval.decide',
      params: () => ({ id: pendingByOperator }),
      body: () => ({ decision: 'reject', comment: 'matrix' }),
    },
  ];
  const cells = endpoints.flatMap((e) => roles.map((role) => [e.name, role, e] as const));

  it.each(cells)('%s as %s: allowed exactly when the matrix says so', async (_name, role, e) => {
    const caller: Caller = seededCaller(role);
    const { status } = await call(e.handler, '/x', e.params(), { caller, body: e.body() });
    if (role === 'viewer') expect(status).toBe(403);
    if (can(role, e.permission)) expect([401, 403]).not.toContain(status);
    else expect(status).toBe(403);
  });
});
