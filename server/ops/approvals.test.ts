import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlqOf } from '@/infra/embedded/db';
import type { Engine } from '@/infra/embedded/engine';
import { dataDirOf, removeDataDir, startTestEngine } from '@/infra/embedded/test-support';
import type { Caller } from '@/server/auth/permissions.schema';
import { sqliteSeenRoles } from '@/server/auth/seen-roles';
import { seedLocalUsers } from '@/server/auth/users';
import { consoleDb } from '@/server/db/console-db';
import { createLocalPlatform } from '@/server/platform/local/adapter';
import type { Platform } from '@/server/platform/port';
import { decideApproval } from './approvals';
import { stopWatching } from './closed-loop';
import { requestCompensation } from './compensate';
import { createOpsContext, type OpsContext } from './context';
import { startRedrive } from './redrive';

const operator: Caller = { id: 'u-operator', name: 'Omar Operator', role: 'operator' };
const operator2: Caller = { id: 'u-operator2', name: 'Olga Operator', role: 'operator' };
const approver: Caller = { id: 'u-approver', name: 'Ada Approver', role: 'approver' };
const meta = () => ({ requestId: `req-${Math.random()}`, idempotencyKey: null });

let dataDir: string;
let engine: Engine;
let local: Platform & { readonly db: ReturnType<typeof createLocalPlatform>['db'] };
let ctx: OpsContext;

/** The real platform, counting calls per method; `failing` methods reject like a throttled AWS read. */
function instrumented(platform: Platform, failing: (keyof Platform)[] = []) {
  const calls: Record<string, number> = {};
  const wrapped = new Proxy(platform, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls[key] = (calls[key] ?? 0) + 1;
        if ((failing as string[]).includes(key)) {
          return Promise.reject(new Error('ProvisionedThroughputExceededException: the ledger scan was throttled'));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { platform: wrapped, calls };
}

/** Dead letters put straight into a DLQ of the embedded platform (as its engine would). */
function addDeadLetters(queueId: string, n: number): void {
  const now = Date.now();
  const insert = local.db.prepare(
    "INSERT INTO messages (queue, body, attributes, sent_at, enqueued_at, visible_at, receive_count, last_error, source_queue, dead, ingest_at) VALUES (?, '{}', '{}', ?, ?, ?, 5, 'test failure', ?, 1, ?)",
  );
  local.db.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(dlqOf(queueId), now, now, now, queueId, now);
    local.db
      .prepare(
        'INSERT INTO queue_counts (queue, total) VALUES (?, ?) ON CONFLICT(queue) DO UPDATE SET total = total + excluded.total',
      )
      .run(dlqOf(queueId), n);
  })();
}

async function dlqDepth(queueId: string): Promise<number> {
  const pair = (await local.listQueuePairs(operator)).find((p) => p.id === queueId)!;
  return pair.dlq.visible + pair.dlq.inFlight;
}

async function succeededSaga(): Promise<string> {
  return (await local.listSagas(operator, { status: 'SUCCEEDED', limit: 1 })).items[0]!.id;
}

/**
 * `maker` asks to compensate the latest succeeded saga; `beforeDecision` runs between the
 * request and the approver's approval (e.g. a demotion). Returns the decided approval.
 */
async function compensationApprovedFor(
  c: OpsContext,
  maker: Caller,
  ticket: string,
  beforeDecision: () => unknown = () => undefined,
) {
  const sagaId = await succeededSaga();
  const requested = await requestCompensation(
    c,
    maker,
    sagaId,
    { mode: 'compensate', reason: 'customer refund', ticket, reverseCompleted: true },
    meta(),
  );
  const id = requested.status === 'pending_approval' ? requested.approvalId : '';
  await beforeDecision();
  const decided = await decideApproval(c, approver, id, { decision: 'approve' }, meta());
  return { sagaId, decided };
}

beforeAll(async () => {
  // A seeded engine: history, sagas of every outcome, dead letters.
  engine = await startTestEngine('approvals', { seed: true, log: () => undefined });
  dataDir = dataDirOf(engine);
  local = createLocalPlatform({ dataDir });
  ctx = createOpsContext(local, dataDir, 'local');
  await seedLocalUsers(consoleDb(dataDir));
}, 120_000);

afterAll(() => {
  engine.close();
  removeDataDir(dataDir);
});

describe('executing an approved request', () => {
  it('records an approved compensation that ran as EXECUTED and started, even when the ledger read after it fails', async () => {
    const { platform, calls } = instrumented(local, ['getLedgerSummary']);
    const c = { ...ctx, platform };
    const { sagaId, decided } = await compensationApprovedFor(c, operator, 'INC-101');

    expect(decided.status).toBe('EXECUTED');
    expect(calls.compensate).toBe(1);
    expect((await local.getSaga(operator, sagaId))!.status).not.toBe('SUCCEEDED');
    const trail = (await ctx.audit.list({ q: `saga:${sagaId}`, limit: 10 })).items.map(
      (e) => `${e.action}/${e.outcome}`,
    );
    // Started, not done: the saga's end state gets its own row when it leaves COMPENSATING.
    expect(trail[0]).toBe('saga.compensate/started');
    expect(trail).not.toContain('saga.compensate/failed');
  });

  it("refuses an approved action when the requester's current role no longer allows it, and acts on nothing", async () => {
    const { platform, calls } = instrumented(local);
    const c = { ...ctx, platform };
    const users = consoleDb(dataDir);
    try {
      const { sagaId, decided } = await compensationApprovedFor(c, operator2, 'INC-102', () =>
        users.prepare("UPDATE users SET role = 'viewer' WHERE id = ?").run(operator2.id),
      );

      expect(decided.status).toBe('FAILED');
      const result = JSON.parse(decided.result ?? '{}') as { error: string; code: string };
      expect(result.code).toBe('Forbidden');
      expect(result.error).toMatch(/current role \(viewer\) does not allow saga\.compensate/);
      expect(calls.compensate ?? 0).toBe(0);
      expect((await local.getSaga(operator, sagaId))!.status).toBe('SUCCEEDED');
      const failed = (await ctx.audit.list({ q: `saga:${sagaId}`, limit: 10 })).items[0]!;
      expect([failed.action, failed.outcome, failed.actorId, failed.role]).toEqual([
        'saga.compensate',
        'failed',
        operator2.id,
        'viewer',
      ]);
    } finally {
      users.prepare("UPDATE users SET role = 'operator' WHERE id = ?").run(operator2.id);
    }
  });

  it('refuses an approved action when the directory cannot resolve the current role, instead of trusting the stored role', async () => {
    const { platform, calls } = instrumented(local);
    const c: OpsContext = { ...ctx, platform, users: { kind: 'unresolvable', why: 'no directory in this test' } };
    const { decided } = await compensationApprovedFor(c, operator, 'INC-103');

    expect(decided.status).toBe('FAILED');
    expect(decided.result).toMatch(/cannot confirm that the requester u-operator still may saga\.compensate/);
    expect(calls.compensate ?? 0).toBe(0);
  });

  it('with the aws backend, runs an approved action with the role the identity provider last asserted for the requester', async () => {
    const maker: Caller = { id: 'oidc-maker-1', name: 'maker1@bank.example', role: 'operator' };
    await sqliteSeenRoles(consoleDb(dataDir)).record(maker, Date.now());
    const { platform, calls } = instrumented(local);
    const aws: OpsContext = { ...createOpsContext(local, dataDir, 'local', Date.now, 'aws'), platform };
    const { sagaId, decided } = await compensationApprovedFor(aws, maker, 'INC-106');

    expect(decided.status).toBe('EXECUTED');
    expect(calls.compensate).toBe(1);
    const done = (await aws.audit.list({ q: `saga:${sagaId}`, limit: 10 })).items[0]!;
    expect([done.action, done.outcome, done.actorId, done.role]).toEqual([
      'saga.compensate',
      'started',
      maker.id,
      'operator',
    ]);
  });

  it('with the aws backend, refuses an approved action when the requester was last seen demoted, and acts on nothing', async () => {
    const maker: Caller = { id: 'oidc-maker-2', name: 'maker2@bank.example', role: 'operator' };
    const db = consoleDb(dataDir);
    await sqliteSeenRoles(db).record(maker, Date.now());
    const { platform, calls } = instrumented(local);
    const aws: OpsContext = { ...createOpsContext(local, dataDir, 'local', Date.now, 'aws'), platform };
    // Their next request after asking carried the demotion.
    const { sagaId, decided } = await compensationApprovedFor(aws, maker, 'INC-107', () =>
      sqliteSeenRoles(db).record({ ...maker, role: 'viewer' }, Date.now()),
    );

    expect(decided.status).toBe('FAILED');
    const result = JSON.parse(decided.result ?? '{}') as { error: string; code: string };
    expect(result.code).toBe('Forbidden');
    expect(result.error).toMatch(/current role \(viewer\) does not allow saga\.compensate \(it was operator/);
    expect(calls.compensate ?? 0).toBe(0);
    expect((await local.getSaga(operator, sagaId))!.status).toBe('SUCCEEDED');
    const failed = (await aws.audit.list({ q: `saga:${sagaId}`, limit: 10 })).items[0]!;
    expect([failed.action, failed.outcome, failed.actorId, failed.role]).toEqual([
      'saga.compensate',
      'failed',
      maker.id,
      'viewer',
    ]);
  });

  it('with the aws backend, refuses an approved action whose requester this console never saw, and acts on nothing', async () => {
    const stranger: Caller = { id: 'oidc-never-seen', name: 'stranger@bank.example', role: 'operator' };
    const { platform, calls } = instrumented(local);
    const aws: OpsContext = { ...createOpsContext(local, dataDir, 'local', Date.now, 'aws'), platform };
    const { sagaId, decided } = await compensationApprovedFor(aws, stranger, 'INC-108');

    expect(decided.status).toBe('FAILED');
    const result = JSON.parse(decided.result ?? '{}') as { error: string; code: string };
    expect(result.code).toBe('Forbidden');
    expect(result.error).toContain(stranger.id);
    expect(calls.compensate ?? 0).toBe(0);
    expect((await local.getSaga(operator, sagaId))!.status).toBe('SUCCEEDED');
  });

  it('refuses an approved "redrive all" when the DLQ grew past the approved size, and moves nothing', async () => {
    const queueId = 'processing';
    const small = { ...ctx, policy: { ...ctx.policy, redriveApprovalThreshold: 0 } };
    if ((await dlqDepth(queueId)) === 0) addDeadLetters(queueId, 3);
    const approvedSize = await dlqDepth(queueId);
    const requested = await startRedrive(
      small,
      operator,
      { queueId, reason: 'drain after the fix', ticket: 'INC-104' },
      meta(),
    );
    const id = requested.status === 'pending_approval' ? requested.approvalId : '';
    addDeadLetters(queueId, 500);
    const grown = await dlqDepth(queueId);

    const decided = await decideApproval(small, approver, id, { decision: 'approve' }, meta());

    expect(decided.status).toBe('FAILED');
    const result = JSON.parse(decided.result ?? '{}') as { error: string; code: string };
    expect(result.code).toBe('Conflict');
    expect(result.error).toContain(
      `queueId: the ${queueId} DLQ now holds ${grown} messages but ${approvedSize} were approved`,
    );
    expect((await local.listRedrives(operator, { queueId })).items).toHaveLength(0);
    expect(await dlqDepth(queueId)).toBe(grown);
  });

  it('runs an approved "redrive all" when the DLQ holds no more than the approved size', async () => {
    const queueId = 'processing';
    const small = { ...ctx, policy: { ...ctx.policy, redriveApprovalThreshold: 0 } };
    const requested = await startRedrive(
      small,
      operator,
      { queueId, reason: 'drain after the fix', ticket: 'INC-105' },
      meta(),
    );
    const id = requested.status === 'pending_approval' ? requested.approvalId : '';

    const decided = await decideApproval(small, approver, id, { decision: 'approve' }, meta());

    expect(decided.status).toBe('EXECUTED');
    const task = JSON.parse(decided.result ?? '{}') as { id: string; total: number };
    stopWatching(task.id);
    expect(task.total).toBe(await dlqDepth(queueId));
  });
});

describe('filing a request for approval', () => {
  it('refuses a second request to compensate a saga while the first waits, naming sagaId and the waiting request, and files nothing', async () => {
    const sagaId = await succeededSaga();
    const ask = (maker: Caller, reason: string, ticket: string) =>
      requestCompensation(ctx, maker, sagaId, { mode: 'compensate', reason, ticket, reverseCompleted: true }, meta());
    const first = await ask(operator, 'customer refund', 'INC-201');
    expect(first.status).toBe('pending_approval');
    const firstId = first.status === 'pending_approval' ? first.approvalId : '';
    const pendingBefore = (await ctx.approvals.listForReview({ decidedLimit: 0 })).pending.length;
    const auditBefore = (await ctx.audit.list({ q: `saga:${sagaId}`, limit: 50 })).items.length;

    await expect(ask(operator2, 'same refund, filed again', 'INC-202')).rejects.toMatchObject({
      code: 'Conflict',
      field: 'sagaId',
      message: expect.stringContaining(firstId) as string,
    });

    expect((await ctx.approvals.listForReview({ decidedLimit: 0 })).pending.length).toBe(pendingBefore);
    expect((await ctx.audit.list({ q: `saga:${sagaId}`, limit: 50 })).items.length).toBe(auditBefore);
    // Once the first is decided, the saga can be asked for again.
    await decideApproval(ctx, approver, firstId, { decision: 'reject', comment: 'duplicate of a chargeback' }, meta());
    const again = await ask(operator2, 'customer refund, second look', 'INC-203');
    expect(again.status).toBe('pending_approval');
    if (again.status === 'pending_approval')
      await decideApproval(ctx, approver, again.approvalId, { decision: 'reject', comment: 'test over' }, meta());
  });

  it('refuses to resume a saga while a compensation of it waits for approval: either changes the saga the other was asked for', async () => {
    const failed = (await local.listSagas(operator, { status: 'FAILED', limit: 1 })).items[0];
    expect(failed, 'a FAILED saga in the seeded history').toBeDefined();
    const sagaId = failed!.id;
    const compensate = await requestCompensation(
      ctx,
      operator,
      sagaId,
      { mode: 'compensate', reason: 'refund what is left', ticket: 'INC-221' },
      meta(),
    );
    expect(compensate.status).toBe('pending_approval');
    await expect(
      requestCompensation(
        ctx,
        operator2,
        sagaId,
        { mode: 'resume', reason: 'retry the chain', ticket: 'INC-222' },
        meta(),
      ),
    ).rejects.toMatchObject({ code: 'Conflict', field: 'sagaId' });
    if (compensate.status === 'pending_approval')
      await decideApproval(ctx, approver, compensate.approvalId, { decision: 'reject', comment: 'test over' }, meta());
  });

  it('refuses a second "redrive all" of a DLQ while one waits, but files a redrive of other selected messages', async () => {
    const queueId = 'processing';
    const small = { ...ctx, policy: { ...ctx.policy, redriveApprovalThreshold: 0 } };
    if ((await dlqDepth(queueId)) < 2) addDeadLetters(queueId, 2);
    const all = await startRedrive(small, operator, { queueId, reason: 'drain', ticket: 'INC-211' }, meta());
    expect(all.status).toBe('pending_approval');
    await expect(
      startRedrive(small, operator2, { queueId, reason: 'drain it too', ticket: 'INC-212' }, meta()),
    ).rejects.toMatchObject({ code: 'Conflict', field: 'queueId' });
    const ids = (await local.listDeadLetters(operator, { queueId, limit: 1 })).items.map((m) => m.id);
    const selected = await startRedrive(
      small,
      operator2,
      { queueId, messageIds: ids, reason: 'just this one', ticket: 'INC-213' },
      meta(),
    );
    expect(selected.status).toBe('pending_approval');
    for (const r of [all, selected])
      if (r.status === 'pending_approval')
        await decideApproval(small, approver, r.approvalId, { decision: 'reject', comment: 'test over' }, meta());
  });
});
