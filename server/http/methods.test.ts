import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { errorOf } from '@/test/api-error';
import { allowOf, otherMethods, ROUTE_METHODS } from './methods';

await vi.hoisted(async () => {
  (await import('@/server/platform/local/test-env')).localConsoleEnv('methods');
});

const root = fileURLToPath(new URL('../..', import.meta.url));
const apiRoutes = readdirSync(path.join(root, 'app/api'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('route.ts'))
  .map((f) => `app/api/${f.split(path.sep).join('/')}`)
  .sort();

/** Route files that answer every method themselves (through otherMethods): all of them. */
const WIRED = [
  'app/api/admin/dead-letters/purge/route.ts',
  'app/api/admin/events/route.ts',
  'app/api/admin/faults/[fault]/route.ts',
  'app/api/admin/traffic/route.ts',
  'app/api/approvals/[id]/decision/route.ts',
  'app/api/approvals/[id]/route.ts',
  'app/api/approvals/route.ts',
  'app/api/audit/export/route.ts',
  'app/api/audit/route.ts',
  'app/api/auth/session/route.ts',
  'app/api/auth/sign-in/route.ts',
  'app/api/auth/sign-out/route.ts',
  'app/api/health/route.ts',
  'app/api/ops/quarantine/route.ts',
  'app/api/ops/redrives/[id]/cancel/route.ts',
  'app/api/ops/redrives/[id]/route.ts',
  'app/api/ops/redrives/route.ts',
  'app/api/ops/replays/[name]/cancel/route.ts',
  'app/api/ops/replays/preview/route.ts',
  'app/api/ops/replays/route.ts',
  'app/api/ops/sagas/[id]/compensation/preview/route.ts',
  'app/api/ops/sagas/[id]/compensation/route.ts',
  'app/api/platform/alarms/[name]/route.ts',
  'app/api/platform/alarms/route.ts',
  'app/api/platform/archives/route.ts',
  'app/api/platform/incident/[alarm]/route.ts',
  'app/api/platform/metrics/route.ts',
  'app/api/platform/overview/route.ts',
  'app/api/platform/queues/[id]/dead-letters/by-transaction/route.ts',
  'app/api/platform/queues/[id]/dead-letters/route.ts',
  'app/api/platform/queues/[id]/failure-classes/route.ts',
  'app/api/platform/queues/[id]/route.ts',
  'app/api/platform/queues/[id]/series/route.ts',
  'app/api/platform/queues/route.ts',
  'app/api/platform/redrives/[id]/route.ts',
  'app/api/platform/redrives/route.ts',
  'app/api/platform/replays/[name]/route.ts',
  'app/api/platform/replays/route.ts',
  'app/api/platform/sagas/[id]/route.ts',
  'app/api/platform/sagas/route.ts',
  'app/api/sagas/[id]/interventions/route.ts',
];

describe('otherMethods: 405 with Allow and a JSON body', () => {
  it('refuses what a GET route does not implement and lists what it does', async () => {
    const refusals = otherMethods({ GET: () => new Response('ok') });
    expect(Object.keys(refusals).sort()).toEqual(['DELETE', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    const response = refusals.DELETE(new Request('http://127.0.0.1/api/x', { method: 'DELETE' }));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const error = await errorOf(response);
    expect(error).toMatchObject({ code: 'MethodNotAllowed', field: 'method' });
    expect(error.message).toMatch(/^method: DELETE is not allowed/);
    const options = refusals.OPTIONS(new Request('http://127.0.0.1/api/x', { method: 'OPTIONS' }));
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it('refuses HEAD on a route without GET', () => {
    const refusals = otherMethods({ POST: () => new Response(null), DELETE: () => new Response(null) });
    expect(Object.keys(refusals).sort()).toEqual(['GET', 'HEAD', 'OPTIONS', 'PATCH', 'PUT']);
    expect(refusals.HEAD(new Request('http://127.0.0.1/api/x', { method: 'HEAD' })).headers.get('allow')).toBe(
      'DELETE, OPTIONS, POST',
    );
    expect(allowOf([])).toBe('OPTIONS');
  });

  it('knows every app/api route file (a new one must be wired)', () => {
    expect([...WIRED].sort()).toEqual(apiRoutes);
  });

  it.each(WIRED)('%s exports a handler for every method, with one Allow for all refusals', async (file) => {
    const mod = (await import(path.join(root, file))) as Record<string, unknown>;
    for (const method of [...ROUTE_METHODS, 'OPTIONS']) expect(typeof mod[method], method).toBe('function');
    const options = (mod.OPTIONS as (r: Request) => Response)(new Request('http://127.0.0.1/x', { method: 'OPTIONS' }));
    const allow = options.headers.get('allow')!.split(', ');
    for (const method of ROUTE_METHODS) {
      if (allow.includes(method)) continue;
      const handler = mod[method] as (r: Request) => Response;
      const refused = handler(new Request('http://127.0.0.1/x', { method }));
      expect(refused.status, method).toBe(405);
      expect(refused.headers.get('allow')).toBe(options.headers.get('allow'));
    }
  });
});
