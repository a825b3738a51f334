import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as decide } from '@/app/api/approvals/[id]/decision/route';
import { POST as quarantine } from '@/app/api/ops/quarantine/route';
import { POST as startRedrive } from '@/app/api/ops/redrives/route';
import { GET as byTransaction } from '@/app/api/platform/queues/[id]/dead-letters/by-transaction/route';
import { GET as failureClasses } from '@/app/api/platform/queues/[id]/failure-classes/route';
import { dlqOf } from '@/infra/embedded/db';
import { Engine } from '@/infra/embedded/engine';
import { PROCESSING } from '@/infra/embedded/names';
import { tickUntil } from '@/infra/embedded/test-support';
import { transactionEnvelope } from '@/infra/runtime/transaction';
import { routeContext, seededCaller, testRequest, type TestRequestOptions } from '@/server/auth/testing';
import { PlatformError, type Platform } from '@/server/platform/port';
import type { FailureClassSummary } from '@/server/platform/triage.schema';
import type { QuarantineResult } from './quarantine.schema';
import { getOpsContext } from './server-context';

const dataDir = await vi.hoisted(async () =>
  (await import('@/server/platform/local/test-env')).localConsoleEnv('triage-routes'),
);

type Handler = (request: Request, context: ReturnType<typeof routeContext>) => Promise<Response>;
const operator = seededCaller('operator');
const approver = seededCaller('approver');
const viewer = seededCaller('viewer');
const DLQ = dlqOf(PROCESSING);
let engine: Engine;

async function call<T>(handler: Handler, params: Record<string, string>, o: TestRequestOptions, url = '/api/x') {
  const response = await handler(await testRequest(url, o), routeContext(params));
  return {
    status: response.status,
    body: (await response.json()) as T & { error?: { message: string; field?: string } },
  };
}

/** 20 transactions dead-lettered by a processor outage (retryable) and 5 poison ones (permanent). */
function outageAndPoison() {
  const at = new Date().toISOString();
  const tx = (i: number, poison: boolean) => {
    const detail = { transactionId: `tx-triage-${i}`, fromAccount: 'acct-0001', amount: 100 + i, currency: 'USD' };
    const full = { ...detail, toAccount: 'acct-0002', createdAt: at };
    // Poison: no toAccount and a string amount, rejected on every receive.
    return transactionEnvelope(`ev-triage-${i}`, (poison ? { ...detail, amount: `${i}.50` } : full) as never, at);
  };
  return [
    ...Array.from({ length: 20 }, (_, i) => tx(i, false)),
    ...Array.from({ length: 5 }, (_, i) => tx(100 + i, true)),
  ];
}

const dlqIds = () =>
  engine.db
    .prepare<[string], { id: number }>('SELECT id FROM messages WHERE queue = ? ORDER BY id')
    .all(DLQ)
    .map((r) => String(r.id));

const classesNow = async () =>
  (await call<FailureClassSummary[]>(failureClasses, { id: PROCESSING }, { caller: viewer })).body;

beforeAll(async () => {
  engine = new Engine({
    dataDir,
    retryTimeScale: 0.001,
    failureRetryDelayMs: 0,
    seed: false,
    traffic: { rate: 0 },
    log: () => undefined,
  });
  await engine.start();
  engine.setKnobs({ processorOutage: true });
  await engine.tx(() => engine.putEvents(outageAndPoison()));
  for (let i = 0; i < 4; i++) await engine.processOnce();
  engine.setKnobs({ processorOutage: false });
}, 120_000);

afterAll(() => engine.close());

describe('dead-letter triage routes (real handlers, local adapter, engine)', () => {
  it('lists the failure classes and finds a dead letter by transaction id from the index', async () => {
    const classes = await classesNow();
    expect(classes.map((c) => [c.errorType, c.verdict, c.count])).toEqual([
      ['ProcessorOutage', 'retryable', 20],
      ['PoisonMessageError', 'permanent', 5],
    ]);
    const found = await call<{ transactionId: string }[]>(
      byTransaction,
      { id: PROCESSING },
      { caller: viewer },
      '/api/x?transactionId=tx-triage-7',
    );
    expect(found.status).toBe(200);
    expect(found.body.map((e) => e.transactionId)).toEqual(['tx-triage-7']);
    const missing = await call(byTransaction, { id: PROCESSING }, { caller: viewer }, '/api/x');
    expect([400, 422]).toContain(missing.status);
    expect(missing.body.error?.field ?? missing.body.error?.message).toMatch(/transactionId/);
  });

  it('refuses a permanent class without includePermanent (4xx naming it) and changes nothing', async () => {
    const poison = (await classesNow()).find((c) => c.verdict === 'permanent')!;
    const before = dlqIds();
    const auditBefore = await (await getOpsContext()).audit.count();
    const r = await call(
      startRedrive,
      {},
      {
        caller: operator,
        body: { queueId: PROCESSING, classIds: [poison.classId], reason: 'retry the poison' },
      },
    );
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body.error?.field).toBe('includePermanent');
    expect(dlqIds()).toEqual(before);
    expect(await (await getOpsContext()).audit.count()).toBe(auditBefore);
  });

  it('redrives only the retryable class: the 20 are applied once, the 5 poison stay', async () => {
    const outage = (await classesNow()).find((c) => c.verdict === 'retryable')!;
    const r = await call<{ status: string; result: { id: string; total: number; selection: string } }>(
      startRedrive,
      {},
      { caller: operator, body: { queueId: PROCESSING, classIds: [outage.classId], rate: 100, reason: 'outage over' } },
    );
    expect(r.status).toBe(200);
    expect(r.body.result).toMatchObject({ total: 20, selection: 'classes' });
    const ctx = await getOpsContext();
    await tickUntil(
      engine,
      async () => (await ctx.platform.getRedrive(operator, r.body.result.id))?.status === 'COMPLETED',
    );
    await tickUntil(engine, () => engine.pending().queued === 0 && engine.pending().waitingSagas === 0);
    expect(dlqIds()).toHaveLength(5);
    const sagas = engine.db
      .prepare<[], { n: number; d: number }>(
        "SELECT count(*) AS n, count(DISTINCT transaction_id) AS d FROM sagas WHERE transaction_id LIKE 'tx-triage-%'",
      )
      .get()!;
    expect(sagas).toEqual({ n: 20, d: 20 });
    expect((await classesNow()).map((c) => c.verdict)).toEqual(['permanent']);
  });

  it('refuses a quarantine to a viewer (403), and one of a retryable class naming it', async () => {
    const poison = (await classesNow())[0]!;
    const body = { queueId: PROCESSING, classIds: [poison.classId], reason: 'poison', ticket: 'INC-17' };
    expect((await call(quarantine, {}, { caller: viewer, body })).status).toBe(403);
    const bad = await call(quarantine, {}, { caller: operator, body: { ...body, classIds: ['0123456789abcdef'] } });
    expect(bad.status).toBe(409);
    expect(bad.body.error?.field).toBe('classIds.0');
    expect(dlqIds()).toHaveLength(5);
  });

  it('removes nothing when the export fails or is incomplete', async () => {
    const ctx = await getOpsContext();
    const poison = (await classesNow())[0]!;
    const body = { queueId: PROCESSING, classIds: [poison.classId], reason: 'poison', ticket: 'INC-17' };
    const before = dlqIds();
    const real = ctx.platform;
    /** The real adapter, with its export replaced (a fault injected at the port). */
    const withExport = (exportDeadLetters: Platform['exportDeadLetters']) => {
      ctx.platform = new Proxy(real, {
        get: (target, key): unknown => (key === 'exportDeadLetters' ? exportDeadLetters : Reflect.get(target, key)),
      });
    };
    try {
      withExport(() => Promise.reject(new PlatformError('Unavailable', 'the platform did not answer')));
      // With the approval flow the export runs when the approver approves.
      const pending = await call<{ approvalId: string }>(quarantine, {}, { caller: operator, body });
      expect(pending.status).toBe(202);
      const decided = await call<{ status: string; result: string }>(
        decide,
        { id: pending.body.approvalId },
        { caller: approver, body: { decision: 'approve' } },
      );
      expect(decided.body.status).toBe('FAILED');
      expect(decided.body.result).toMatch(/did not answer/);
      expect(dlqIds()).toEqual(before);
      // Below the threshold it runs at once: an incomplete export is refused the same way.
      withExport(async (...args) => ({ ...(await real.exportDeadLetters(...args)), complete: false, missing: ['1'] }));
      ctx.policy.quarantineApprovalThreshold = 5;
      const r = await call(quarantine, {}, { caller: operator, body: { ...body, reason: 'poison, no approval' } });
      expect(r.status).toBe(409);
      expect(r.body.error?.message).toMatch(/nothing was removed/);
    } finally {
      ctx.platform = real;
      ctx.policy.quarantineApprovalThreshold = undefined;
    }
    expect(dlqIds()).toEqual(before);
  });

  it('quarantines the 5 with an approval: the export hash is in the audit and the DLQ no longer holds them', async () => {
    const ctx = await getOpsContext();
    const poison = (await classesNow())[0]!;
    const ids = dlqIds();
    const body = { queueId: PROCESSING, classIds: [poison.classId], reason: 'poison payloads', ticket: 'INC-18' };
    const pending = await call<{ status: string; approvalId: string }>(quarantine, {}, { caller: operator, body });
    expect(pending.status).toBe(202);
    expect(dlqIds()).toEqual(ids);
    const self = await call(
      decide,
      { id: pending.body.approvalId },
      { caller: operator, body: { decision: 'approve' } },
    );
    expect(self.status).toBe(403);
    const decided = await call<{ status: string; result: string }>(
      decide,
      { id: pending.body.approvalId },
      { caller: approver, body: { decision: 'approve' } },
    );
    expect(decided.body.status).toBe('EXECUTED');
    const result = JSON.parse(decided.body.result) as QuarantineResult;
    const file = JSON.parse(result.json) as {
      items: { id: string; body: string; error: string; attributes: object }[];
    };
    expect(file.items.map((m) => m.id).sort()).toEqual([...ids].sort());
    expect(file.items.every((m) => m.body.length > 0 && m.error.startsWith('PoisonMessageError'))).toBe(true);
    const hash = createHash('sha256').update(result.json, 'utf8').digest('hex');
    expect(result.sha256.json).toBe(hash);
    const audit = await ctx.audit.list({ action: 'queue.quarantine', limit: 10 } as never);
    const executed = audit.items.find((e) => e.approvalId === pending.body.approvalId && e.outcome !== 'requested');
    expect(JSON.parse(executed!.result!)).toMatchObject({ sha256: hash, exported: 5, removed: 5 });
    expect(dlqIds()).toEqual([]);
    expect(await classesNow()).toEqual([]);
  });
});
