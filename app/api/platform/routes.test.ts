import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '@/infra/embedded/engine';
import { removeDataDir } from '@/infra/embedded/test-support';
import { routeContext, seededCaller, testRequest } from '@/server/auth/testing';
import type { Overview } from '@/server/ops/read/read.schema';
import type { DeadLetterMessage, Page, SagaSummary } from '@/server/platform/platform.schema';
import { GET as getAlarms } from './alarms/route';
import { GET as getIncident } from './incident/[alarm]/route';
import { GET as getOverview } from './overview/route';
import { GET as getDeadLetters } from './queues/[id]/dead-letters/route';
import { GET as getSaga } from './sagas/[id]/route';
import { GET as getSagas } from './sagas/route';

const dataDir = await vi.hoisted(async () =>
  (await import('@/server/platform/local/test-env')).localConsoleEnv('routes'),
);

let engine: Engine;
const viewer = () => seededCaller('viewer');

beforeAll(async () => {
  engine = new Engine({ dataDir, seed: true, traffic: { rate: 0 }, retryTimeScale: 0.01, failureRetryDelayMs: 0 });
  await engine.start();
  await engine.drain(30_000);
  engine.flushMetrics();
  engine.evaluateAlarms();
}, 120_000);

afterAll(() => {
  engine.close();
  removeDataDir(dataDir);
});

describe('GET /api/platform/**', () => {
  it('answers the overview to a signed-in viewer with a request id and no caching', async () => {
    const response = await getOverview(
      await testRequest('/api/platform/overview?range=24h', { caller: viewer() }),
      routeContext(),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Overview;
    expect(body.range.key).toBe('24h');
    expect(body.regions[0]?.queues.map((q) => q.id)).toContain('processing');
  });

  it('refuses a request without a session with 401', async () => {
    const response = await getOverview(await testRequest('/api/platform/overview'), routeContext());
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('Unauthenticated');
  });

  it('names the invalid field of a query string with 422', async () => {
    const response = await getAlarms(
      await testRequest('/api/platform/alarms?state=ON_FIRE', { caller: viewer() }),
      routeContext(),
    );
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: { field: string; requestId: string } };
    expect(body.error.field).toBe('state');
    expect(body.error.requestId).toBeTruthy();
  });

  it('rejects a custom range without its end', async () => {
    const response = await getOverview(
      await testRequest('/api/platform/overview?range=custom&from=2026-01-01T00:00:00Z', { caller: viewer() }),
      routeContext(),
    );
    expect(response.status).toBe(422);
  });

  it('answers 404 with the request id for an unknown saga', async () => {
    const request = await testRequest('/api/platform/sagas/nope', {
      caller: viewer(),
      headers: { 'x-request-id': 'req-test-1' },
    });
    const response = await getSaga(request, routeContext({ id: 'nope' }));
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { requestId: string } }).error.requestId).toBe('req-test-1');
  });

  it('pages sagas on the server with the limit of the query string', async () => {
    const response = await getSagas(
      await testRequest('/api/platform/sagas?status=COMPENSATED&range=1h&limit=3', { caller: viewer() }),
      routeContext(),
    );
    const page = (await response.json()) as Page<SagaSummary>;
    expect(page.items.length).toBeLessThanOrEqual(3);
    expect(page.items.every((s) => s.status === 'COMPENSATED')).toBe(true);
    const tooMany = await getSagas(
      await testRequest('/api/platform/sagas?limit=100000', { caller: viewer() }),
      routeContext(),
    );
    expect(tooMany.status).toBe(422);
  });

  it('searches a queue’s dead letters by error text', async () => {
    const request = await testRequest(
      '/api/platform/queues/processing/dead-letters?search=PoisonMessageError&limit=5',
      { caller: viewer() },
    );
    const response = await getDeadLetters(request, routeContext({ id: 'processing' }));
    expect(response.status).toBe(200);
    const page = (await response.json()) as Page<DeadLetterMessage>;
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((m) => m.lastError?.includes('PoisonMessageError'))).toBe(true);
  });

  it('answers 404 for the incident of an unknown alarm', async () => {
    const response = await getIncident(
      await testRequest('/api/platform/incident/nope', { caller: viewer() }),
      routeContext({ alarm: 'nope' }),
    );
    expect(response.status).toBe(404);
  });
});
