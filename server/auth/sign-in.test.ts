import { describe, expect, it, vi } from 'vitest';
import { POST as signIn } from '@/app/api/auth/sign-in/route';
import { consoleDb } from '../db/console-db';
import { authConfig } from './config';
import { safeNext } from './sign-in';
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

describe('sign-in throttling', () => {
  it('answers at most 10 of 40 concurrent wrong passwords for one account with 401, the rest with 429', async () => {
    await seedLocalUsers(consoleDb(authConfig().dataDir));
    const attempt = () =>
      signIn(
        new Request(`${TEST_ORIGIN}/api/auth/sign-in`, {
          method: 'POST',
          headers: { host: new URL(TEST_ORIGIN).host, origin: TEST_ORIGIN, 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'operator2@ledgerline.local', password: 'wrong-guess' }),
        }),
      );
    const statuses = (await Promise.all(Array.from({ length: 40 }, attempt))).map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    // Even the right password is refused until the window passes.
    const right = await signIn(
      new Request(`${TEST_ORIGIN}/api/auth/sign-in`, {
        method: 'POST',
        headers: { host: new URL(TEST_ORIGIN).host, origin: TEST_ORIGIN, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'operator2@ledgerline.local', password: LOCAL_DEV_PASSWORD }),
      }),
    );
    expect(right.status).toBe(429);
  });
});
