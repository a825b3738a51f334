import 'server-only';
import { z } from 'zod';
import { consoleDb } from '../audit/console-db';
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

/** Only same-site relative paths: never an open redirect. */
export function safeNext(next: string | undefined | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/sign-in') || next.startsWith('/api/')) return '/';
  return next;
}

/** Local sign-in with throttling per email (10 failures per 5 minutes). */
export async function signInLocal(email: string, password: string, now = Date.now()): Promise<Caller> {
  const config = authConfig();
  if (config.backend !== 'local') {
    throw new HttpError(404, 'NotFound', 'Sign-in is handled by the load balancer (OIDC) with the aws backend');
  }
  const entry = failures.get(email);
  if (entry && entry.resetAt > now && entry.count >= MAX_FAILURES) {
    throw new HttpError(429, 'TooManyAttempts', 'email: too many failed sign-ins; wait 5 minutes', 'email');
  }
  const caller = await authenticateLocal(consoleDb(config.dataDir), email, password);
  if (!caller) {
    const e = entry && entry.resetAt > now ? entry : { count: 0, resetAt: now + WINDOW_MS };
    e.count += 1;
    failures.set(email, e);
    console.warn(JSON.stringify({ level: 'warn', event: 'sign_in_failed', failures: e.count }));
    throw new HttpError(401, 'InvalidCredentials', 'password: wrong email or password', 'password');
  }
  failures.delete(email);
  return caller;
}
