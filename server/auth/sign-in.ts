import 'server-only';
import { z } from 'zod';
import { consoleDb } from '../db/console-db';
import { HttpError } from '../http/errors';
import { authConfig } from './config';
import type { Caller } from './permissions.schema';
import { authenticateLocal } from './users';

export const signInInput = z.object({
  email: z.string().trim().toLowerCase().email('email: enter an email address').max(254),
  password: z.string().min(1, 'password: enter your password').max(200),
  next: z.string().optional(),
});

const WINDOW_MS = 5 * 60_000;
const MAX_FAILURES = 10;
const failures = new Map<string, { count: number; resetAt: number }>();

// C0 controls, DEL and the C1 range: browsers strip some of them from URLs ("/\t/evil" → "//evil").
const UNSAFE_IN_NEXT = /[\u0000-\u001f\u007f-\u009f\\]/;
const BASE = 'http://x';

/**
 * Where to go after signing in: only a path on this console, never an open redirect. The input
 * is resolved the way a browser would; anything that leaves our origin, contains a control
 * character or a backslash, or resolves to a protocol-relative "//..." path becomes '/'.
 */
export function safeNext(next: string | undefined | null): string {
  if (!next || !next.startsWith('/') || UNSAFE_IN_NEXT.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE || url.pathname.startsWith('//')) return '/';
  if (url.pathname.startsWith('/sign-in') || url.pathname.startsWith('/api/')) return '/';
  return url.pathname + url.search + url.hash;
}

/** Local sign-in with throttling per email (10 failures per 5 minutes). */
export async function signInLocal(email: string, password: string, now = Date.now()): Promise<Caller> {
  const config = authConfig();
  if (config.backend !== 'local') {
    throw new HttpError(404, 'NotFound', 'Sign-in is handled by the load balancer (OIDC) with the aws backend');
  }
  // Reserve the attempt before the (async) password check: concurrent attempts each see the
  // ones before them, so at most MAX_FAILURES run per window. A success clears the count.
  const current = failures.get(email);
  const entry = current && current.resetAt > now ? current : { count: 0, resetAt: now + WINDOW_MS };
  if (entry.count >= MAX_FAILURES) {
    throw new HttpError(429, 'TooManyAttempts', 'email: too many failed sign-ins; wait 5 minutes', 'email');
  }
  const attempt = (entry.count += 1);
  failures.set(email, entry);
  const caller = await authenticateLocal(consoleDb(config.dataDir), email, password);
  if (!caller) {
    console.warn(JSON.stringify({ level: 'warn', event: 'sign_in_failed', failures: attempt }));
    throw new HttpError(401, 'InvalidCredentials', 'password: wrong email or password', 'password');
  }
  failures.delete(email);
  return caller;
}
