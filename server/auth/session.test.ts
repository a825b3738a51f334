import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { POST as signIn } from '@/app/api/auth/sign-in/route';
import { POST as signOut } from '@/app/api/auth/sign-out/route';
import { route } from '../http/route';
import { CSRF_HEADER } from './csrf.schema';
import { getCaller } from './session';
import { routeContext, seededCaller, TEST_ORIGIN, testRequest } from './testing';
import { LOCAL_DEV_PASSWORD } from './users';

const dataDir = await vi.hoisted(async () =>
  (await import('@/server/platform/local/test-env')).localConsoleEnv('auth'),
);

function signInRequest(body: Record<string, string>, origin: string | null = TEST_ORIGIN, json = false) {
  const headers = new Headers({ host: new URL(TEST_ORIGIN).host });
  if (origin) headers.set('origin', origin);
  headers.set('content-type', json ? 'application/json' : 'application/x-www-form-urlencoded');
  return new Request(`${TEST_ORIGIN}/api/auth/sign-in`, {
    method: 'POST',
    headers,
    body: json ? JSON.stringify(body) : new URLSearchParams(body).toString(),
  });
}

function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

describe('local sign-in and sessions', () => {
  it('signs a seeded user in with an HttpOnly SameSite=Strict session cookie that getCaller reads back', async () => {
    const response = await signIn(
      signInRequest({ email: 'operator@ledgerline.local', password: LOCAL_DEV_PASSWORD, next: '/queues' }),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/queues');
    const [session, csrf] = response.headers.getSetCookie();
    expect(session).toMatch(/^ll_session=.+; Path=\/; SameSite=Strict; Max-Age=\d+; HttpOnly$/);
    expect(csrf).toMatch(/^ll_csrf=.+; Path=\/; SameSite=Strict/);
    expect(csrf).not.toContain('HttpOnly');
    const caller = await getCaller(new Request(`${TEST_ORIGIN}/`, { headers: { cookie: cookieHeader(response) } }));
    expect(caller).toEqual({ id: 'u-operator', name: 'Omar Operator', role: 'operator' });
  });

  it('marks the cookies Secure when the console is served over https', async () => {
    const request = signInRequest(
      { email: 'viewer@ledgerline.local', password: LOCAL_DEV_PASSWORD },
      'https://console.example',
    );
    const forwarded = new Request(request, {
      headers: new Headers([...request.headers, ['host', 'console.example'], ['x-forwarded-proto', 'https']]),
    });
    const response = await signIn(forwarded);
    expect(response.headers.getSetCookie().every((c) => c.endsWith('; Secure') || c.includes('; Secure'))).toBe(true);
  });

  it('refuses a wrong password and an unknown user the same way, and never redirects off-site', async () => {
    const wrong = await signIn(
      signInRequest({ email: 'operator@ledgerline.local', password: 'nope', next: '//evil.example' }),
    );
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get('location')).toBe('/sign-in?error=invalid');
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const unknown = await signIn(signInRequest({ email: 'nobody@ledgerline.local', password: 'x' }, TEST_ORIGIN, true));
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: { field: string } }).error.field).toBe('password');
  });

  it('refuses a sign-in posted from another origin (login CSRF)', async () => {
    const response = await signIn(
      signInRequest({ email: 'admin@ledgerline.local', password: LOCAL_DEV_PASSWORD }, 'https://evil.example', true),
    );
    expect(response.status).toBe(403);
  });

  it('rejects a tampered or foreign-signed session cookie', async () => {
    const response = await signIn(
      signInRequest({ email: 'viewer@ledgerline.local', password: LOCAL_DEV_PASSWORD }, TEST_ORIGIN, true),
    );
    const cookie = cookieHeader(response);
    const token = /ll_session=([^;]+)/.exec(cookie)![1]!;
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forged = [h, Buffer.from(JSON.stringify({ ...payload, role: 'admin' })).toString('base64url'), s].join('.');
    expect(await getCaller(new Request(`${TEST_ORIGIN}/`, { headers: { cookie: `ll_session=${forged}` } }))).toBeNull();
  });

  it('sign-out ends the session on the server, so the old cookie stops working', async () => {
    const response = await signIn(
      signInRequest({ email: 'approver@ledgerline.local', password: LOCAL_DEV_PASSWORD }, TEST_ORIGIN, true),
    );
    const cookie = cookieHeader(response);
    const csrf = decodeURIComponent(/ll_csrf=([^;]+)/.exec(cookie)![1]!);
    const out = await signOut(
      new Request(`${TEST_ORIGIN}/api/auth/sign-out`, {
        method: 'POST',
        headers: { cookie, origin: TEST_ORIGIN, host: '127.0.0.1:3000', [CSRF_HEADER]: csrf },
      }),
    );
    expect(out.status).toBe(200);
    expect(await getCaller(new Request(`${TEST_ORIGIN}/`, { headers: { cookie } }))).toBeNull();
  });

  it('keeps the generated session secret in the data dir, readable by the owner only', () => {
    const mode = fs.statSync(path.join(dataDir, 'session-secret')).mode & 0o777;
    expect(mode).toBe(0o600);
    expect(os.platform()).not.toBe('win32');
  });
});

describe('the route wrapper on mutating requests', () => {
  const handler = route({ permission: 'queue.redrive' }, () => Promise.resolve({ done: true }));

  it('accepts the console origin with the session CSRF token', async () => {
    const response = await handler(
      await testRequest('/api/x', { body: {}, caller: seededCaller('operator') }),
      routeContext(),
    );
    expect(response.status).toBe(200);
  });

  it.each([
    ['a forged Origin', { origin: 'https://evil.example' }, 403, 'origin'],
    ['no Origin', { origin: null }, 403, 'origin'],
    ['no CSRF token', { csrf: null }, 403, CSRF_HEADER],
    ['another session CSRF token', { csrf: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, 403, CSRF_HEADER],
    ['a malformed Idempotency-Key', { idempotencyKey: 'x' }, 422, 'Idempotency-Key'],
  ] as const)('refuses %s with the field named', async (_label, opts, status, field) => {
    const response = await handler(
      await testRequest('/api/x', { body: {}, caller: seededCaller('operator'), ...opts }),
      routeContext(),
    );
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { field: string } }).error.field).toBe(field);
  });

  it('answers 401 without a session and 403 for a role without the permission', async () => {
    expect((await handler(await testRequest('/api/x', { body: {} }), routeContext())).status).toBe(401);
    expect(
      (await handler(await testRequest('/api/x', { body: {}, caller: seededCaller('viewer') }), routeContext())).status,
    ).toBe(403);
  });
});
