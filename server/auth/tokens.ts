import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { roleSchema, type Caller } from './permissions.schema';

const ISSUER = 'ledgerline-console';
const AUDIENCE = 'ledgerline-console';
export const SESSION_TTL_SECONDS = 8 * 3600;

export interface SessionClaims {
  caller: Caller;
  /** Session id: the row in the sessions table (local) and the CSRF token's binding. */
  sid: string;
  expiresAt: number; // epoch seconds
}

export async function signSession(secret: Uint8Array, caller: Caller, sid: string, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ name: caller.name, role: caller.role, sid })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(caller.id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + SESSION_TTL_SECONDS)
    .sign(secret);
}

/** The session's claims, or null for anything not signed by us, expired or malformed. */
export async function verifySession(secret: Uint8Array, token: string): Promise<SessionClaims | null> {
  try {
    const { payload } = await jwtVerify(token, secret, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    const role = roleSchema.safeParse(payload.role);
    if (
      !payload.sub ||
      typeof payload.sid !== 'string' ||
      typeof payload.name !== 'string' ||
      !role.success ||
      !payload.exp
    )
      return null;
    return {
      caller: { id: payload.sub, name: payload.name, role: role.data },
      sid: payload.sid,
      expiresAt: payload.exp,
    };
  } catch {
    return null;
  }
}

/** The CSRF token of a session: HMAC(secret, sid). Sent back by the client in x-csrf-token. */
export function csrfTokenFor(secret: Uint8Array, sid: string): string {
  return createHmac('sha256', secret).update(`csrf:${sid}`).digest('base64url');
}

export function csrfMatches(secret: Uint8Array, sid: string, presented: string | null | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfTokenFor(secret, sid));
  const got = Buffer.from(presented);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
