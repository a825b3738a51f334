import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_DEV_PASSWORD } from '@/server/auth/users';
import { adminCases, authCases } from './cases-admin';
import { opsCases } from './cases-ops';
import { readCases } from './cases-read';
import { sagaCases } from './cases-sagas';
import { buildFixtures, lastHour, type Fixtures } from './fixtures';
import { request, runCase, snapshot, type Case, type Handler } from './harness';

const dataDir = await vi.hoisted(async () => {
  const dir = (await import('@/server/platform/local/test-env')).localConsoleEnv('hostile');
  process.env.LEDGERLINE_ADMIN_API = 'true';
  return dir;
});

let fx: Fixtures;
let cases: Case[];

beforeAll(async () => {
  fx = await buildFixtures(dataDir);
  cases = [...opsCases(fx), ...sagaCases(fx), ...readCases(), ...adminCases(), ...authCases()];
}, 120_000);

/** Every route file under app/api, as a pattern over request paths ([id] matches one segment). */
function apiRoutes(): { file: string; pattern: RegExp }[] {
  const root = path.resolve('app');
  const files = fs.readdirSync(path.join(root, 'api'), { recursive: true, encoding: 'utf8' });
  return files
    .filter((f) => f.endsWith(`${path.sep}route.ts`))
    .map((f) => {
      const route = `/api/${path.dirname(f).split(path.sep).join('/')}`;
      const pattern = route.replace(/\[[^\]/]+\]/g, '[^/]+');
      return { file: `app/api/${f}`, pattern: new RegExp(`^${pattern}$`) };
    });
}

describe('the hostile-request corpus', () => {
  it('answers each hostile request with a 4xx naming the problem, none with a 5xx, and changes no state', async () => {
    expect(new Set(cases.map((c) => c.label)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(150);
    const before = snapshot(dataDir);
    const outcomes = [];
    for (const c of cases) outcomes.push(await runCase(c));
    const serverErrors = outcomes.filter((o) => o.status >= 500);
    console.info(`hostile corpus: ${cases.length} requests, ${serverErrors.length} answered with a status >= 500`);
    expect(serverErrors.map((o) => `${o.label}: ${o.status}`)).toEqual([]);
    expect(outcomes.flatMap((o) => (o.problem ? [o.problem] : []))).toEqual([]);
    expect(snapshot(dataDir)).toBe(before);
  });

  it('attacks every route under app/api but /api/health (no input; see the methods below)', () => {
    const paths = cases.map((c) => new URL(c.url, 'http://x').pathname);
    const missed = apiRoutes()
      .filter((r) => r.file !== 'app/api/health/route.ts')
      .filter((r) => !paths.some((p) => r.pattern.test(p)))
      .map((r) => r.file);
    expect(missed).toEqual([]);
  });
});

/**
 * Issue 18's other half, built in parallel by another engineer: the body size limit (413) in
 * route(), 405 with Allow for unsupported methods, sign-in throttling, LIKE escaping of `actor`
 * in /api/audit. Kept apart so that what these cases depend on is visible.
 */
describe('hostile requests to work landing in parallel (body limit, 405 + Allow, sign-in throttling, audit actor)', () => {
  const call = async (handler: Handler, req: Request) => {
    const response = await handler(req, { params: Promise.resolve({}) });
    const body = (await response.json().catch(() => null)) as { error?: { message?: string; field?: string } } | null;
    return { response, error: body?.error };
  };

  it('refuses a body over the limit with 413 naming body, and changes nothing', async () => {
    const { POST: startReplay } = await import('@/app/api/ops/replays/route');
    const { POST: signIn } = await import('@/app/api/auth/sign-in/route');
    const before = snapshot(dataDir);
    const big = { archive: fx.archive, window: lastHour(), reason: 'x'.repeat(300 * 1024) };
    const replay = await call(startReplay, await request('/api/ops/replays', { as: 'operator', body: big }));
    const huge = JSON.stringify({ email: 'viewer@ledgerline.local', password: 'x'.repeat(2 * 1024 * 1024) });
    const signin = await call((r) => signIn(r), await request('/api/auth/sign-in', { raw: huge }));
    for (const { response, error } of [replay, signin]) {
      expect(response.status).toBe(413);
      expect(error?.field ?? error?.message).toMatch(/body/);
    }
    expect(snapshot(dataDir)).toBe(before);
  });

  const modules: Record<string, () => Promise<object>> = {
    '/api/ops/replays': () => import('@/app/api/ops/replays/route'),
    '/api/approvals': () => import('@/app/api/approvals/route'),
    '/api/admin/traffic': () => import('@/app/api/admin/traffic/route'),
    '/api/health': () => import('@/app/api/health/route'),
    '/api/auth/sign-in': () => import('@/app/api/auth/sign-in/route'),
  };
  it.each([
    ['/api/ops/replays', 'DELETE', 'POST'],
    ['/api/approvals', 'POST', 'GET'],
    ['/api/admin/traffic', 'DELETE', 'PUT'],
    ['/api/health', 'POST', 'GET'],
    ['/api/auth/sign-in', 'GET', 'POST'],
  ])('%s answers %s with 405, Allow (listing %s) and a JSON body naming the method', async (url, method, allowed) => {
    const mod = (await modules[url]!()) as Record<string, Handler | undefined>;
    const handler = mod[method];
    expect(handler, `${url} exports no ${method} handler (Next would answer a bare 405)`).toBeTypeOf('function');
    const before = snapshot(dataDir);
    const { response, error } = await call(handler!, await request(url, { as: 'admin', method }));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toContain(allowed);
    expect(error?.message).toMatch(new RegExp(method));
    expect(snapshot(dataDir)).toBe(before);
  });

  it('lets the right password in from another address after 12 wrong ones against the same account', async () => {
    const { POST: signIn } = await import('@/app/api/auth/sign-in/route');
    const attempt = async (password: string, address: string) =>
      (
        await signIn(
          await request('/api/auth/sign-in', {
            body: { email: 'approver@ledgerline.local', password },
            headers: { 'x-forwarded-for': address },
          }),
        )
      ).status;
    const wrong = [];
    for (let i = 0; i < 12; i++) wrong.push(await attempt(`guess-${i}`, '198.51.100.7'));
    expect(wrong.every((s) => s === 401 || s === 429)).toBe(true);
    expect(wrong).toContain(429);
    expect(await attempt(LOCAL_DEV_PASSWORD, '198.51.100.8')).toBe(200);
  });

  it('matches % and _ in the audit actor filter literally', async () => {
    const { GET: audit } = await import('@/app/api/audit/route');
    for (const actor of ['%', '_', '%%']) {
      const response = await audit(await request(`/api/audit?actor=${encodeURIComponent(actor)}`, { as: 'viewer' }), {
        params: Promise.resolve({}),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { items: unknown[] }).items).toEqual([]);
    }
  });
});
