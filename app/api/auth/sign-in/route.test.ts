import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteAuditStore } from '@/server/audit/store';
import { authConfig } from '@/server/auth/config';
import { signInThrottle } from '@/server/auth/sign-in-throttle';
import { TEST_ORIGIN } from '@/server/auth/testing';
import { LOCAL_DEV_PASSWORD, seedLocalUsers } from '@/server/auth/users';
import { consoleDb } from '@/server/db/console-db';
import { errorOf } from '@/test/api-error';
import { chunkedBody, streamedInit } from '@/test/chunked-body';
import { GET, OPTIONS, PUT, POST as signIn } from './route';

await vi.hoisted(async () => {
  (await import('@/server/platform/local/test-env')).localConsoleEnv('sign-in-route');
});

const APPROVER = 'approver@ledgerline.local';
const MINUTE = 60_000;
let clock = 0;

interface Attempt {
  email: string;
  password: string;
  address: string;
  form?: boolean;
}

function request(a: Attempt): Request {
  const headers = {
    host: new URL(TEST_ORIGIN).host,
    origin: TEST_ORIGIN,
    // A forged entry to the left; the load balancer's (right-most) entry is the one that counts.
    'x-forwarded-for': `10.9.9.9, ${a.address}`,
    'content-type': a.form ? 'application/x-www-form-urlencoded' : 'application/json',
  };
  const body = a.form
    ? new URLSearchParams({ email: a.email, password: a.password }).toString()
    : JSON.stringify({ email: a.email, password: a.password });
  return new Request(`${TEST_ORIGIN}/api/auth/sign-in`, { method: 'POST', headers, body });
}

const attempt = (a: Attempt) => signIn(request(a));

/**
 * An attacker at one address who retries as soon as allowed (honouring Retry-After) for
 * `minutes`: the wrong passwords actually checked (401) in each minute.
 */
async function guessingCurve(emailFor: (i: number) => string, address: string, minutes: number): Promise<number[]> {
  const start = clock;
  const perMinute = Array<number>(minutes).fill(0);
  let checked = 0;
  while (clock - start < minutes * MINUTE) {
    const response = await attempt({ email: emailFor(checked), password: 'guess', address });
    if (response.status === 401) {
      perMinute[Math.floor((clock - start) / MINUTE)]! += 1;
      checked += 1;
    } else {
      expect(response.status).toBe(429);
      clock += Number(response.headers.get('retry-after')) * 1000;
    }
  }
  return perMinute;
}

async function auditRows() {
  return (await new SqliteAuditStore(consoleDb(authConfig().dataDir)).list({ limit: 200 })).items;
}

beforeEach(async () => {
  await seedLocalUsers(consoleDb(authConfig().dataDir));
  clock = Date.parse('2026-03-01T00:00:00Z');
  signInThrottle.reset(() => clock);
});

describe('sign-in throttling: slows guessing, never locks the real user out', () => {
  it('1,000 wrong passwords from one address, then the right one from another address signs in at once', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 1000; i += 1) {
      statuses.push((await attempt({ email: APPROVER, password: `guess-${i}`, address: '198.51.100.7' })).status);
      clock += 1000; // one guess a second for ~17 minutes
    }
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked).toBe(15);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1000 - checked);

    const fromElsewhere = await attempt({ email: APPROVER, password: LOCAL_DEV_PASSWORD, address: '192.0.2.44' });
    expect(fromElsewhere.status).toBe(200);
    // The guessing address still waits, with the right password too (it is not even checked).
    const fromAttacker = await attempt({ email: APPROVER, password: LOCAL_DEV_PASSWORD, address: '198.51.100.7' });
    expect(fromAttacker.status).toBe(429);
    expect(Number(fromAttacker.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await errorOf(fromAttacker)).toMatchObject({ code: 'TooManyAttempts', field: 'email' });
    // Audit rows stay bounded by the guessing rate: each checked guess, and the first refusal of each wait.
    const rows = (await auditRows()).filter((r) => r.target === '198.51.100.7');
    expect(rows.filter((r) => r.outcome === 'failed')).toHaveLength(15);
    expect(rows.filter((r) => r.outcome === 'throttled')).toHaveLength(10);
  });

  it('audits wrong and throttled sign-ins with the email tried and the address, never the password', async () => {
    for (let i = 0; i < 8; i += 1)
      await attempt({ email: APPROVER, password: 'hunter2-secret', address: '203.0.113.5' });
    const refused = (await auditRows()).filter((r) => r.action === 'auth.sign_in' && r.target === '203.0.113.5');
    expect(refused.filter((r) => r.outcome === 'failed')).toHaveLength(5);
    // 3 refusals in the same wait: one audit row, not three.
    expect(refused.filter((r) => r.outcome === 'throttled')).toHaveLength(1);
    for (const row of refused) {
      expect(row).toMatchObject({ actorId: APPROVER, actorName: APPROVER, role: 'none' });
      expect(JSON.stringify(row)).not.toContain('hunter2-secret');
    }
  });

  it('bounds the guessing rate of one address: the curve over the first 10 minutes, then 12 an hour', async () => {
    // Against one account: 5 free, then 1 s, 2 s, 4 s … up to 5 minutes between guesses.
    const oneAccount = await guessingCurve(() => APPROVER, '198.51.100.20', 10);
    // Spraying a different account every guess: the per-address budget (20 free, then the same doubling).
    const spraying = await guessingCurve((i) => `user${i}@example.test`, '198.51.100.21', 10);
    console.info(JSON.stringify({ perMinute: { oneAccount, spraying } }));
    expect(oneAccount).toEqual([10, 1, 1, 0, 1, 0, 0, 0, 1, 0]);
    expect(spraying).toEqual([25, 1, 1, 0, 1, 0, 0, 0, 1, 0]);
    // Steady state: one guess per 5 minutes per address, whatever it targets.
    const nextHour = await guessingCurve((i) => `other${i}@example.test`, '198.51.100.21', 60);
    expect(nextHour.reduce((a, b) => a + b, 0)).toBe(12);
  });

  it('never delays correct passwords: 60 sign-ins as each role from 127.0.0.1, a typo among them', async () => {
    const roles = ['viewer', 'operator', 'operator2', 'approver', 'admin'];
    expect((await attempt({ email: APPROVER, password: 'typo', address: '127.0.0.1' })).status).toBe(401);
    for (let i = 0; i < 60; i += 1) {
      const email = `${roles[i % roles.length]}@ledgerline.local`;
      const response = await attempt({ email, password: LOCAL_DEV_PASSWORD, address: '127.0.0.1' });
      expect(response.status).toBe(200);
    }
  });

  it('keeps the form flow: a throttled form post is sent back to /sign-in?error=throttled', async () => {
    const form = (password: string) => attempt({ email: APPROVER, password, address: '198.51.100.30', form: true });
    for (let i = 0; i < 5; i += 1) expect((await form('wrong')).headers.get('location')).toBe('/sign-in?error=invalid');
    const throttled = await form(LOCAL_DEV_PASSWORD);
    expect(throttled.status).toBe(303);
    expect(throttled.headers.get('location')).toBe('/sign-in?error=throttled');
    clock += 1000;
    expect((await form(LOCAL_DEV_PASSWORD)).headers.get('location')).toBe('/');
  });
});

describe('sign-in body limit', () => {
  const THIRTY_MB = 30 * 1024 * 1024;

  it('refuses a declared 30 MB body with 413 naming body, before reading it', async () => {
    const r = request({ email: APPROVER, password: LOCAL_DEV_PASSWORD, address: '192.0.2.1' });
    const headers = new Headers(r.headers);
    headers.set('content-length', String(THIRTY_MB));
    const response = await signIn(new Request(r.url, { method: 'POST', headers, body: 'x' }));
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toMatchObject({ code: 'PayloadTooLarge', field: 'body' });
  });

  it('refuses a 30 MB chunked body (no Content-Length) at the limit, without reading the rest', async () => {
    const { stream, state } = chunkedBody(THIRTY_MB);
    const r = request({ email: APPROVER, password: LOCAL_DEV_PASSWORD, address: '192.0.2.1' });
    const response = await signIn(
      new Request(r.url, streamedInit({ method: 'POST', headers: r.headers, body: stream })),
    );
    expect(response.status).toBe(413);
    expect((await errorOf(response)).message).toMatch(/^body: /);
    expect(state.pulled).toBeLessThan(1024 * 1024);
  });
});

describe('sign-in methods', () => {
  it('answers other methods 405 with Allow and a JSON body naming the method; OPTIONS lists the same', async () => {
    for (const [handler, method] of [
      [GET, 'GET'],
      [PUT, 'PUT'],
    ] as const) {
      const response = handler(new Request(`${TEST_ORIGIN}/api/auth/sign-in`, { method }));
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('OPTIONS, POST');
      expect(await errorOf(response)).toMatchObject({ code: 'MethodNotAllowed', field: 'method' });
    }
    const options = OPTIONS(new Request(`${TEST_ORIGIN}/api/auth/sign-in`, { method: 'OPTIONS' }));
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('OPTIONS, POST');
  });
});
