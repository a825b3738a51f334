import 'server-only';

import type { Caller } from './permissions.schema';

/**
 * The signed-in operator of this request (route handlers pass the request; server components
 * call it without), or null. Sign-in (signed session cookies, local users per role, ALB OIDC
 * in AWS, CSRF/Origin checks on mutating requests) is the console write-side's work; until
 * then nobody is signed in and the shell says so.
 */
export async function getCaller(_request?: Request): Promise<Caller | null> {
  return Promise.resolve(null);
}
