import 'server-only';
import { randomUUID } from 'node:crypto';
import { cache } from 'react';
import { consoleDb } from '../db/console-db';
import { consoleState } from '../db/state';
import { ALB_HEADER, callerFromAlbToken } from './alb';
import { authConfig } from './config';
import { parseCookies, serializeCookie, SESSION_COOKIE } from './cookies';
import { CSRF_COOKIE } from './csrf.schema';
import type { Caller } from './permissions.schema';
import { csrfMatches, csrfTokenFor, SESSION_TTL_SECONDS, signSession, verifySession } from './tokens';
import { findLocalUser } from './users';

export interface Session {
  caller: Caller;
  /** Binds the CSRF token: the session row id (local) or the OIDC subject (aws). */
  sid: string;
}

async function requestHeaders(request?: Request): Promise<Headers> {
  if (request) return request.headers;
  const { headers } = await import('next/headers');
  return new Headers(await headers());
}

/** Reasons already logged since recording last succeeded: one log line per reason, not per request. */
const seenRoleFailures = new Set<string>();

/**
 * Records the role the identity provider just asserted (a verified ALB token), for approved
 * actions that later run with this user's current role (server/auth/seen-roles.ts). The user is
 * authenticated either way, so a failure does not refuse the request: it is logged once per
 * reason (again after a write succeeds), and the next request retries the write.
 */
async function noteSeenRole(caller: Caller): Promise<void> {
  try {
    if (await consoleState().seenRoles.record(caller, Date.now())) seenRoleFailures.clear();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (seenRoleFailures.has(reason)) return;
    seenRoleFailures.add(reason);
    console.error(
      JSON.stringify({
        level: 'error',
        event: 'seen_role_record_failed',
        user: caller.id,
        role: caller.role,
        error: reason,
        impact:
          'approved actions requested by this user may run with the role last recorded instead of the one just asserted; authentication itself succeeded',
      }),
    );
  }
}

/**
 * The session of this request (route handlers pass the request; server components call it
 * without): local backend = our signed cookie whose session row still exists, with the user's
 * current role; aws backend = the ALB's verified OIDC token, whose role is recorded as the one
 * last asserted for that user. Null when not signed in.
 */
export async function getSession(request?: Request): Promise<Session | null> {
  const config = authConfig();
  const headers = await requestHeaders(request);
  if (config.backend === 'aws') {
    if (!config.albArn) throw new Error('LEDGERLINE_ALB_ARN is required with the aws backend');
    const caller = await callerFromAlbToken(headers.get(ALB_HEADER), {
      region: config.region,
      expectedSigner: config.albArn,
    });
    if (!caller) return null;
    await noteSeenRole(caller);
    return { caller, sid: `oidc:${caller.id}` };
  }
  const token = parseCookies(headers.get('cookie')).get(SESSION_COOKIE);
  if (!token) return null;
  const claims = await verifySession(config.secret, token);
  if (!claims) return null;
  const db = consoleDb(config.dataDir);
  const row = db
    .prepare<[string, number], { user_id: string }>('SELECT user_id FROM sessions WHERE id = ? AND expires_at > ?')
    .get(claims.sid, Date.now());
  if (!row || row.user_id !== claims.caller.id) return null;
  const caller = findLocalUser(db, row.user_id);
  return caller ? { caller, sid: claims.sid } : null;
}

/**
 * The session of the request a server component render answers, read once per request (React's
 * cache): the console layout and its page both ask for the caller, and each read verifies a token
 * and reads the session (with the aws backend, notes the role seen). Outside a render (route
 * handlers, tests) it is read on every call.
 */
const renderSession = cache(() => getSession());

export async function getCaller(request?: Request): Promise<Caller | null> {
  return (await (request ? getSession(request) : renderSession()))?.caller ?? null;
}

export function csrfTokenOf(session: Session): string {
  return csrfTokenFor(authConfig().secret, session.sid);
}

export function csrfValid(session: Session, presented: string | null | undefined): boolean {
  return csrfMatches(authConfig().secret, session.sid, presented);
}

/**
 * The readable CSRF cookie of a session (double-submit: the page's script echoes it in
 * x-csrf-token). Local sessions get it at sign-in; with the aws backend there is no sign-in of
 * ours, so GET /api/auth/session sets it.
 */
export function csrfCookieFor(session: Session, secure: boolean): string {
  return serializeCookie(CSRF_COOKIE, csrfTokenOf(session), {
    httpOnly: false,
    secure,
    maxAgeSeconds: SESSION_TTL_SECONDS,
  });
}

/** Opens a local session: the Set-Cookie values (session: HttpOnly; CSRF: readable). */
export async function openLocalSession(
  caller: Caller,
  secure: boolean,
): Promise<{ setCookies: string[]; session: Session }> {
  const config = authConfig();
  const sid = randomUUID();
  const now = Date.now();
  consoleDb(config.dataDir)
    .prepare('INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
    .run(sid, caller.id, now, now + SESSION_TTL_SECONDS * 1000);
  const token = await signSession(config.secret, caller, sid, now);
  return {
    session: { caller, sid },
    setCookies: [
      serializeCookie(SESSION_COOKIE, token, { httpOnly: true, secure, maxAgeSeconds: SESSION_TTL_SECONDS }),
      csrfCookieFor({ caller, sid }, secure),
    ],
  };
}

/** Ends a local session server-side (the signed cookie stops working) and clears the cookies. */
export function closeLocalSession(session: Session | null, secure: boolean): string[] {
  const config = authConfig();
  if (session && config.backend === 'local') {
    consoleDb(config.dataDir).prepare('DELETE FROM sessions WHERE id = ?').run(session.sid);
  }
  return [
    serializeCookie(SESSION_COOKIE, '', { httpOnly: true, secure, maxAgeSeconds: 0 }),
    serializeCookie(CSRF_COOKIE, '', { httpOnly: false, secure, maxAgeSeconds: 0 }),
  ];
}
