import { describe, expect, it, vi } from 'vitest';
import { POST as signIn } from '@/app/api/auth/sign-in/route';
import { consoleDb } from '../db/console-db';
import { authConfig } from './config';
import { safeNext } from './sign-in';
import { signInThrottle } from './sign-in-throttle';
import { TEST_ORIGIN } from './testing';
import { LOCAL_DEV_PASSWORD, seedLocalUsers } from './users';

await vi.hoisted(async () => {
  (await import('@/server/platform/local/test-env')).localConsoleEnv('sign-in');
});

describe('safeNext: where to go after signing in', () => {
  it.each([
    ['a tab that browsers drop, leaving //evil.example', '/\t/evil.example', '/'],
    ['a newline that browsers drop', '/\n/evil.example', '/'],
    ['a protocol-relative URL', '//evil', '/'],
    ['a backslash that browsers read as a slash', '/\\evil', '/'],
    ['a backslash later in the path', '/sagas\\..\\\\evil', '/'],
    ['an absolute URL', 'https://evil', '/'],
    ['a dot segment that resolves to //evil', '/.//evil.example', '/'],
    ['a parent segment that resolves to //evil', '/a/..//evil.example', '/'],
    ['the sign-in page itself', '/sign-in?next=/x', '/'],
    ['an API route', '/api/auth/sign-out', '/'],
    ['nothing', undefined, '/'],
    ['an encoded newline, which stays part of the path', '/%0a/evil', '/%0a/evil'],
    ['a path with query and fragment', '/sagas?x=1#y', '/sagas?x=1#y'],
    ['a plain path', '/queues', '/queues'],
  ])('%s: %j → %j', (_label, input, expected) => {
    expect(safeNext(input)).toBe(expected);
  });
});

describe('sign-in throttling under concurrency', () => {
  // Was: 10 × 401 then 30 × 429 and the right password refused for 5 minutes from anywhere.
  // Issue 18 replaced the per-account lockout with per-(account, address) and per-address delays.
  it('checks at most 5 of 40 concurrent wrong passwords from one address; another address still signs in', async () => {
    await seedLocalUsers(consoleDb(authConfig().dataDir));
    signInThrottle.reset(() => Date.parse('2026-01-01T00:00:00Z'));
    const attempt = (password: string, address: string) =>
      signIn(
        new Request(`${TEST_ORIGIN}/api/auth/sign-in`, {
          method: 'POST',
          headers: {
            host: new URL(TEST_ORIGIN).host,
            origin: TEST_ORIGIN,
            'content-type': 'application/json',
            'x-forwarded-for': address,
          },
          body: JSON.stringify({ email: 'operator2@ledgerline.local', password }),
        }),
      );
    const statuses = (await Promise.all(Array.from({ length: 40 }, () => attempt('wrong-guess', '198.51.100.7')))).map(
      (r) => r.status,
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    // The guessing address waits, whatever it sends; the real user's address does not.
    expect((await attempt(LOCAL_DEV_PASSWORD, '198.51.100.7')).status).toBe(429);
    expect((await attempt(LOCAL_DEV_PASSWORD, '192.0.2.44')).status).toBe(200);
  });
});
