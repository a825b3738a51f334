import 'server-only';
import { consoleDb } from '../db/console-db';
import { authConfig } from './config';
import { SESSION_COOKIE } from './cookies';
import { CSRF_HEADER } from './csrf.schema';
import type { Caller, Role } from './permissions.schema';
import { openLocalSession } from './session';
import { seededUsers, seedLocalUsers } from './users';

/**
 * Test helpers for route tests (vitest): a real signed session for a seeded user of a role, and
 * requests carrying its cookie, CSRF token and the console's Origin.
 */
export const TEST_ORIGIN = 'http://127.0.0.1:3000';

export function seededCaller(role: Role, which = 0): Caller {
  const user = seededUsers.filter((u) => u.role === role)[which];
  if (!user) throw new Error(`no seeded ${role} #${which}`);
  return { id: user.id, name: user.name, role: user.role };
}

export async function sessionCookieFor(caller: Caller): Promise<{ cookie: string; csrfToken: string }> {
  await seedLocalUsers(consoleDb(authConfig().dataDir));
  const { setCookies } = await openLocalSession(caller, false);
  const values = setCookies.map((c) => c.split(';')[0]!);
  const session = values.find((v) => v.startsWith(`${SESSION_COOKIE}=`))!;
  const csrf = values.find((v) => !v.startsWith(`${SESSION_COOKIE}=`))!;
  return { cookie: values.join('; '), csrfToken: decodeURIComponent(csrf.slice(csrf.indexOf('=') + 1)) || session };
}

export interface TestRequestOptions {
  method?: string;
  body?: unknown;
  caller?: Caller | null;
  origin?: string | null; // null = no Origin header
  csrf?: string | null; // undefined = the session's token
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

export async function testRequest(path: string, o: TestRequestOptions = {}): Promise<Request> {
  const method = o.method ?? (o.body === undefined ? 'GET' : 'POST');
  const headers = new Headers({ host: new URL(TEST_ORIGIN).host, ...o.headers });
  if (o.caller) {
    const s = await sessionCookieFor(o.caller);
    headers.set('cookie', s.cookie);
    const csrf = o.csrf === undefined ? s.csrfToken : o.csrf;
    if (csrf !== null) headers.set(CSRF_HEADER, csrf);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const origin = o.origin === undefined ? TEST_ORIGIN : o.origin;
    if (origin !== null) headers.set('origin', origin);
    if (o.body !== undefined) headers.set('content-type', 'application/json');
  }
  if (o.idempotencyKey) headers.set('idempotency-key', o.idempotencyKey);
  const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  return new Request(new URL(path, TEST_ORIGIN), { method, headers, body });
}

/** Next's route handler context with the given dynamic params. */
export function routeContext(params: Record<string, string> = {}) {
  return { params: Promise.resolve(params) };
}
