/**
 * The hostile-request corpus's harness: real sessions, requests built by hand (so a case can
 * forge any header or body), the state snapshot every case must leave unchanged, and the runner.
 * Suites call localConsoleEnv in vi.hoisted first (server/platform/local/test-env.ts).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { CSRF_HEADER } from '@/server/auth/csrf.schema';
import type { Caller, Role } from '@/server/auth/permissions.schema';
import { seededCaller, sessionCookieFor, TEST_ORIGIN } from '@/server/auth/testing';

export type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

export interface RequestOptions {
  method?: string;
  /** A signed-in user of this role (a real session), or none. */
  as?: Role | null;
  /** JSON-encoded unless `raw` is set. */
  body?: unknown;
  /** The body exactly as sent. */
  raw?: string;
  contentType?: string | null;
  origin?: string | null;
  /** undefined = the session's token; null = none. */
  csrf?: string | null;
  cookie?: string;
  headers?: Record<string, string>;
}

const sessions = new Map<Role, Promise<{ cookie: string; csrfToken: string }>>();

/** One real session per role, opened once per suite. */
function sessionOf(role: Role) {
  let s = sessions.get(role);
  if (!s) {
    s = sessionCookieFor(seededCaller(role));
    sessions.set(role, s);
  }
  return s;
}

export const callerOf = (role: Role): Caller => seededCaller(role);

export async function request(url: string, o: RequestOptions = {}): Promise<Request> {
  const hasBody = o.body !== undefined || o.raw !== undefined;
  const method = o.method ?? (hasBody ? 'POST' : 'GET');
  const headers = new Headers({ host: new URL(TEST_ORIGIN).host });
  if (o.as) {
    const s = await sessionOf(o.as);
    headers.set('cookie', s.cookie);
    const csrf = o.csrf === undefined ? s.csrfToken : o.csrf;
    if (csrf !== null) headers.set(CSRF_HEADER, csrf);
  }
  if (o.cookie !== undefined) headers.set('cookie', o.cookie);
  if (method !== 'GET' && method !== 'HEAD') {
    const origin = o.origin === undefined ? TEST_ORIGIN : o.origin;
    if (origin !== null) headers.set('origin', origin);
  }
  const contentType = o.contentType === undefined ? (hasBody ? 'application/json' : null) : o.contentType;
  if (contentType !== null) headers.set('content-type', contentType);
  for (const [k, v] of Object.entries(o.headers ?? {})) headers.set(k, v);
  const body = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  return new Request(new URL(url, TEST_ORIGIN), { method, headers, body });
}

/** One hostile request: what it sends, and what the answer must name. */
export interface Case {
  label: string;
  handler: Handler;
  params?: Record<string, string>;
  url: string;
  options: RequestOptions;
  /** The exact status, when the case pins one (otherwise any 4xx). */
  status?: number;
  /** The answer's error must name one of these: its `field`, or its message contains it ([] = status only). */
  names: string | string[];
}

export interface Outcome {
  label: string;
  status: number;
  problem: string | null;
}

export async function runCase(c: Case): Promise<Outcome> {
  const response = await c.handler(await request(c.url, c.options), { params: Promise.resolve(c.params ?? {}) });
  const text = await response.text();
  let error: { message?: string; field?: string } | undefined;
  try {
    error = (JSON.parse(text) as { error?: { message?: string; field?: string } }).error;
  } catch {
    error = undefined;
  }
  const status = response.status;
  const fail = (why: string) => ({ label: c.label, status, problem: `${c.label}: HTTP ${status}: ${why}` });
  if (status < 400 || status > 499) return fail(text.slice(0, 200));
  if (c.status !== undefined && status !== c.status) return fail(`expected ${c.status}: ${text.slice(0, 200)}`);
  const names = Array.isArray(c.names) ? c.names : [c.names];
  if (names.length === 0) return { label: c.label, status, problem: null }; // a route with no error body (noted in the case)
  if (!error?.message) return fail('no error message');
  if (!names.some((n) => error.field === n || error.message!.includes(n)))
    return fail(`does not name ${names.join(' or ')}: ${error.field} / ${error.message}`);
  return { label: c.label, status, problem: null };
}

/**
 * What no hostile request may change: the console's audit, approvals, idempotency keys and
 * action claims; the embedded platform's tasks (redrives, replays, saga commands), settings
 * (traffic and fault knobs), inbox, queues and balances.
 */
export function snapshot(dataDir: string): string {
  const p = new Database(path.join(dataDir, 'ledgerline.db'), { readonly: true });
  const c = new Database(path.join(dataDir, 'console.db'), { readonly: true });
  const q = (db: Database.Database, sql: string) => JSON.stringify(db.prepare(sql).all());
  try {
    return [
      q(c, 'SELECT count(*) AS n, max(seq) AS seq, max(hash) AS h FROM audit'),
      q(c, 'SELECT id, status, decided_by, result FROM approvals ORDER BY id'),
      q(c, 'SELECT key, actor_id, status, fingerprint FROM idempotency ORDER BY actor_id, key'),
      q(c, 'SELECT scope, token FROM action_claims ORDER BY scope'),
      q(p, 'SELECT id, status, moved, total FROM redrive_tasks ORDER BY id'),
      q(p, 'SELECT name, state, window_start, window_end FROM replays ORDER BY name'),
      q(p, 'SELECT id, status, steps, cursor FROM sagas ORDER BY id'),
      q(p, 'SELECT key, value, updated_at FROM settings ORDER BY key'),
      q(p, 'SELECT count(*) AS n, max(id) AS id FROM inbox'),
      q(p, 'SELECT queue, count(*) AS n FROM messages GROUP BY queue ORDER BY queue'),
      q(p, 'SELECT queue, total FROM queue_counts ORDER BY queue'),
      q(p, 'SELECT sum(balance) AS b, sum(held) AS h, count(*) AS n FROM accounts'),
    ].join('\n');
  } finally {
    p.close();
    c.close();
  }
}

/** A JSON text nested `depth` levels deep ({"a":{"a":...}}), built without recursion. */
export function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}
