import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '@/infra/embedded/engine';
import { routeContext, seededCaller, testRequest } from '@/server/auth/testing';
import { seedLocalUsers } from '@/server/auth/users';
import { consoleDb } from '@/server/db/console-db';
import { decideApproval } from '@/server/ops/approvals';
import { requestCompensation } from '@/server/ops/compensate';
import type { SagaIntervention } from '@/server/ops/ops.schema';
import { getOpsContext } from '@/server/ops/server-context';
import { GET } from './route';

const dataDir = await vi.hoisted(async () =>
  (await import('@/server/platform/local/test-env')).localConsoleEnv('saga-interventions'),
);

const operator = seededCaller('operator');
const approver = seededCaller('approver');
const viewer = seededCaller('viewer');
const meta = (n: string) => ({ requestId: `req-interventions-${n}`, idempotencyKey: null });
let engine: Engine;
let approved = '';
let rejected = '';

async function interventionsOf(sagaId: string) {
  const response = await GET(
    await testRequest(`/api/sagas/${sagaId}/interventions`, { caller: viewer }),
    routeContext({ id: sagaId }),
  );
  return { status: response.status, body: (await response.json()) as SagaIntervention[] };
}

beforeAll(async () => {
  engine = new Engine({ dataDir, seed: true, traffic: { rate: 0 }, log: () => undefined });
  await engine.start();
  engine.close();
  // The directory an approved action asks for the requester's current role.
  await seedLocalUsers(consoleDb(dataDir));
  const ctx = await getOpsContext();
  const sagas = (await ctx.platform.listSagas(operator, { status: 'SUCCEEDED', limit: 2 })).items;
  [approved, rejected] = sagas.map((s) => s.id) as [string, string];
  // Maker-checker, as the console runs it: the operator asks, a second person decides.
  for (const [sagaId, decision] of [
    [approved, 'approve'],
    [rejected, 'reject'],
  ] as const) {
    const req = { mode: 'compensate' as const, reason: 'customer disputed the transfer', ticket: 'INC-31' };
    const filed = await requestCompensation(ctx, operator, sagaId, { ...req, reverseCompleted: true }, meta(sagaId));
    if (filed.status !== 'pending_approval') throw new Error('expected a request waiting for approval');
    await decideApproval(
      ctx,
      approver,
      filed.approvalId,
      decision === 'approve' ? { decision } : { decision, comment: 'a chargeback covers it' },
      meta(`${sagaId}-decision`),
    );
  }
}, 120_000);

afterAll(() => engine.close());

describe('GET /api/sagas/[id]/interventions', () => {
  it('names who requested a compensation and who approved it, and that it ran', async () => {
    const { status, body } = await interventionsOf(approved);
    expect(status).toBe(200);
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({
      action: 'saga.compensate',
      requestedBy: { id: operator.id, name: operator.name },
      decidedBy: { id: approver.id, name: approver.name, decision: 'approved' },
      reason: 'customer disputed the transfer',
      ticket: 'INC-31',
    });
    // Ran: audited as done, or (since outcomes are tracked) as started until the saga leaves COMPENSATING.
    expect(['started', 'succeeded']).toContain(body[0]!.outcome);
    expect(body[0]!.approvalId).toMatch(/\S/);
  });

  it('shows a rejected request with who rejected it, as nothing done', async () => {
    const { body } = await interventionsOf(rejected);
    expect(body.map((i) => [i.requestedBy.name, i.decidedBy?.name, i.decidedBy?.decision, i.outcome])).toEqual([
      [operator.name, approver.name, 'rejected', 'rejected'],
    ]);
  });

  it('answers an empty list for a saga nobody acted on, and 404 naming the id for an id of another form', async () => {
    const ctx = await getOpsContext();
    const untouched = (await ctx.platform.listSagas(operator, { status: 'FAILED', limit: 1 })).items[0]!.id;
    expect((await interventionsOf(untouched)).body).toEqual([]);
    const bad = await interventionsOf('not a saga id!');
    expect(bad.status).toBe(404);
    expect(JSON.stringify(bad.body)).toContain('id');
  });
});
