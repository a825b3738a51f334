import { authConfig } from '@/server/auth/config';
import { isHttps } from '@/server/auth/cookies';
import { permissionMatrix } from '@/server/auth/permissions.schema';
import { csrfCookieFor, csrfTokenOf, getSession } from '@/server/auth/session';
import { otherMethods } from '@/server/http/methods';

export const dynamic = 'force-dynamic';

/**
 * Who is signed in, what they may do, and the CSRF token to echo on mutating requests. With the
 * aws backend (identity from the ALB, no sign-in of ours) it also sets the readable CSRF cookie
 * the console's script reads (components/auth/csrf.ts); local sessions got it at sign-in.
 */
export async function GET(request: Request): Promise<Response> {
  const session = await getSession(request);
  const body = session
    ? { caller: session.caller, permissions: permissionMatrix[session.caller.role], csrfToken: csrfTokenOf(session) }
    : { caller: null, permissions: [], csrfToken: null };
  const headers = new Headers({ 'cache-control': 'no-store' });
  if (session && authConfig().backend === 'aws') headers.append('set-cookie', csrfCookieFor(session, isHttps(request)));
  return Response.json(body, { status: session ? 200 : 401, headers });
}

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
