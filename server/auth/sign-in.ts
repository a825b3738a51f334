import 'server-only';
import { z } from 'zod';
import { recordSignInRefused } from '../audit/auth-events';
import { consoleDb } from '../db/console-db';
import { HttpError } from '../http/errors';
import { authConfig } from './config';
import type { Caller } from './permissions.schema';
import { signInThrottle } from './sign-in-throttle';
import { authenticateLocal } from './users';

export const signInInput = z.object({
  email: z.string().trim().toLowerCase().email('email: enter an email address').max(254),
  password: z.string().min(1, 'password: enter your password').max(200),
  next: z.string().optional(),
});

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

export interface SignInAttempt {
  email: string;
  password: string;
  /** The client's address (client-address.ts), the throttling key with the email. */
  address: string;
  requestId: string;
}

/**
 * Local sign-in, throttled per (account, address) and per address (sign-in-throttle.ts): a
 * throttled attempt is answered 429 with Retry-After without checking the password. Wrong
 * passwords and the first refusal of each throttle are audited (the email tried and the
 * address, never the password).
 */
export async function signInLocal(attempt: SignInAttempt): Promise<Caller> {
  const config = authConfig();
  if (config.backend !== 'local') {
    throw new HttpError(404, 'NotFound', 'Sign-in is handled by the load balancer (OIDC) with the aws backend');
  }
  const { email, address, requestId } = attempt;
  const verdict = signInThrottle.attempt(email, address);
  if (!verdict.allowed) {
    const retryAfterSeconds = Math.ceil(verdict.retryAfterMs / 1000);
    if (verdict.firstRefusal) {
      await recordSignInRefused({
        email,
        address,
        requestId,
        outcome: 'throttled',
        failures: verdict.failures,
        retryAfterSeconds,
      });
    }
    throw new HttpError(
      429,
      'TooManyAttempts',
      `email: too many failed sign-ins from your address; retry in ${retryAfterSeconds} s`,
      'email',
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
  const caller = await authenticateLocal(consoleDb(config.dataDir), email, attempt.password);
  if (!caller) {
    const failures = signInThrottle.failuresOf(verdict.attempt);
    console.warn(JSON.stringify({ level: 'warn', event: 'sign_in_failed', requestId, failures }));
    await recordSignInRefused({ email, address, requestId, outcome: 'failed', failures });
    throw new HttpError(401, 'InvalidCredentials', 'password: wrong email or password', 'password');
  }
  signInThrottle.succeeded(verdict.attempt);
  return caller;
}
