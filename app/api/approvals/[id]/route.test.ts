import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '@/infra/embedded/engine';
import type { Approval } from '@/server/approvals/approval.schema';
import { routeContext, seededCaller, testRequest } from '@/server/auth/testing';
import { getOpsContext } from '@/server/ops/server-context';
import { GET as list } from '../route';
import { GET } from './route';

const dataDir = await vi.hoisted(async () =>
  (await import('@/server/platform/local/test-env')).localConsoleEnv('approval-get'),
);

const operator = seededCaller('operator');
const viewer = seededCaller('viewer');
let engine: Engine;
let id: string;

beforeAll(async () => {
  engine = new Engine({ dataDir, seed: true, traffic: { rate: 0 }, log: () => undefined });
  await engine.start();
  engine.close();
  const ctx = await getOpsContext();
  id = (
    await ctx.approvals.create({
      action: 'saga.compensate',
      target: 'saga:saga-1',
      input: { sagaId: 'saga-1', mode: 'compensate', reason: 'customer refund' },
      preview: null,
      reason: 'customer refund',
      ticket: 'INC-7',
      requester: operator,
      ttlMinutes: 60,
    })
  ).id;
}, 120_000);

afterAll(() => engine.close());

describe('GET /api/approvals/[id]', () => {
  it('answers one request by id, whoever may read the audit', async () => {
    const response = await GET(await testRequest(`/api/approvals/${id}`, { caller: viewer }), routeContext({ id }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Approval;
    expect({ id: body.id, status: body.status, ticket: body.ticket }).toEqual({
      id,
      status: 'PENDING',
      ticket: 'INC-7',
    });
  });

  it('answers 404 naming the id for an unknown request', async () => {
    const response = await GET(
      await testRequest('/api/approvals/apr-nope', { caller: viewer }),
      routeContext({ id: 'apr-nope' }),
    );
    expect(response.status).toBe(404);
    expect(JSON.stringify(await response.json())).toContain('apr-nope');
  });

  it('lists it with GET /api/approvals', async () => {
    const response = await list(await testRequest('/api/approvals?status=PENDING', { caller: viewer }), routeContext());
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: Approval[] };
    expect(body.items.map((a) => [a.id, a.status])).toEqual([[id, 'PENDING']]);
  });

  it('refuses a request without a session', async () => {
    const response = await GET(await testRequest(`/api/approvals/${id}`), routeContext({ id }));
    expect(response.status).toBe(401);
  });
});
