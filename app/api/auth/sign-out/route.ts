import { recordSignIn } from '@/server/audit/auth-events';
import { isHttps } from '@/server/auth/cookies';
import { CSRF_HEADER } from '@/server/auth/csrf.schema';
import { closeLocalSession, csrfValid, getSession } from '@/server/auth/session';
import { assertContentLength } from '@/server/http/body';
import { HttpError, toErrorResponse } from '@/server/http/errors';
import { assertSameOrigin } from '@/server/http/guards';
import { otherMethods } from '@/server/http/methods';
import { requestIdOf } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/** Ends the session (server-side too) and clears the cookies. Needs Origin + CSRF token. */
export async function POST(request: Request): Promise<Response> {
  const requestId = requestIdOf(request);
  try {
    assertSameOrigin(request);
    assertContentLength(request); // the body is never read: a declared oversize one is still refused
    const session = await getSession(request);
    if (session && !csrfValid(session, request.headers.get(CSRF_HEADER))) {
      throw new HttpError(
        403,
        'CsrfTokenInvalid',
        `${CSRF_HEADER}: missing or not this session's CSRF token`,
        CSRF_HEADER,
      );
    }
    if (session) await recordSignIn(session.caller, requestId, 'auth.sign_out');
    const headers = new Headers({
      'cache-control': 'no-store',
      'x-request-id': requestId,
      'content-type': 'application/json',
    });
    for (const c of closeLocalSession(session, isHttps(request))) headers.append('set-cookie', c);
    return new Response(JSON.stringify({ signedOut: true }), { status: 200, headers });
  } catch (error) {
    return toErrorResponse(error, requestId);
  }
}

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
