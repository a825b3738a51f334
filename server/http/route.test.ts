import { describe, expect, it, vi } from 'vitest';
import { routeContext, seededCaller, testRequest } from '../auth/testing';
import { HttpError } from './errors';
import { route } from './route';

await vi.hoisted(async () => {
  (await import('@/server/platform/local/test-env')).localConsoleEnv('http');
});

/** proxy.ts no longer runs for /api/*: every API answer must carry these headers itself. */
function expectApiHeaders(response: Response, cacheControl = 'no-store') {
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('cache-control')).toBe(cacheControl);
  expect(response.headers.get('x-request-id')).toBeTruthy();
}

describe('API response headers without the page proxy', () => {
  const caller = seededCaller('operator');

  it('marks JSON results, verb outcomes and handler-built responses no-store and nosniff', async () => {
    const json = route({ permission: 'platform.read' }, () => Promise.resolve({ ok: true }));
    expectApiHeaders(await json(await testRequest('/api/x', { caller }), routeContext()));

    const outcome = route({ permission: 'queue.redrive' }, () =>
      Promise.resolve({
        status: 'pending_approval',
        approvalId: 'a-1',
        expiresAt: '2030-01-01T00:00:00.000Z',
        auditSeq: 1,
      }),
    );
    const accepted = await outcome(await testRequest('/api/x', { body: {}, caller }), routeContext());
    expect(accepted.status).toBe(202);
    expectApiHeaders(accepted);

    const download = route({ permission: 'platform.read' }, () =>
      Promise.resolve(new Response('a,b\n', { headers: { 'content-type': 'text/csv' } })),
    );
    expectApiHeaders(await download(await testRequest('/api/x', { caller }), routeContext()));

    const cached = route({ permission: 'platform.read' }, () =>
      Promise.resolve(new Response('{}', { headers: { 'cache-control': 'private, max-age=5' } })),
    );
    expectApiHeaders(await cached(await testRequest('/api/x', { caller }), routeContext()), 'private, max-age=5');
  });

  it('marks every error answer (401, 403, 4xx from the handler, 500) no-store and nosniff', async () => {
    const failing = route({ permission: 'queue.redrive' }, () =>
      Promise.reject(new HttpError(409, 'Conflict', 'queueId: busy', 'queueId')),
    );
    const crashing = route({ permission: 'platform.read' }, () => Promise.reject(new Error('boom')));
    const unauthenticated = await failing(await testRequest('/api/x', { body: {} }), routeContext());
    const forbidden = await failing(
      await testRequest('/api/x', { body: {}, caller: seededCaller('viewer') }),
      routeContext(),
    );
    const conflict = await failing(await testRequest('/api/x', { body: {}, caller }), routeContext());
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const internal = await crashing(await testRequest('/api/x', { caller }), routeContext());
    spy.mockRestore();
    expect([unauthenticated.status, forbidden.status, conflict.status, internal.status]).toEqual([401, 403, 409, 500]);
    for (const r of [unauthenticated, forbidden, conflict, internal]) expectApiHeaders(r);
  });
});
