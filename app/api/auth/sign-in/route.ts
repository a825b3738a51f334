import { recordSignIn } from '@/server/audit/auth-events';
import { isHttps } from '@/server/auth/cookies';
import { openLocalSession } from '@/server/auth/session';
import { safeNext, signInInput, signInLocal } from '@/server/auth/sign-in';
import { HttpError, toErrorResponse } from '@/server/http/errors';
import { assertSameOrigin } from '@/server/http/guards';
import { requestIdOf } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/**
 * Local sign-in. The HTML form posts urlencoded and gets 303 redirects (works without
 * JavaScript); a JSON body gets JSON. Origin must be ours (login CSRF).
 */
export async function POST(request: Request): Promise<Response> {
  const requestId = requestIdOf(request);
  const form = !(request.headers.get('content-type') ?? '').includes('application/json');
  let next = '/';
  try {
    assertSameOrigin(request);
    let raw: unknown;
    if (form) {
      const data = await request.formData();
      raw = Object.fromEntries([...data.entries()].map(([k, v]) => [k, typeof v === 'string' ? v : '']));
    } else {
      raw = await request.json().catch(() => {
        throw new HttpError(400, 'InvalidJson', 'body: the request body must be JSON', 'body');
      });
    }
    next = safeNext((raw as { next?: string } | null)?.next);
    const input = signInInput.parse(raw);
    const caller = await signInLocal(input.email, input.password);
    const { setCookies } = await openLocalSession(caller, isHttps(request));
    recordSignIn(caller, requestId, 'auth.sign_in');
    const headers = new Headers({ 'cache-control': 'no-store', 'x-request-id': requestId });
    for (const c of setCookies) headers.append('set-cookie', c);
    if (form) {
      headers.set('location', next);
      return new Response(null, { status: 303, headers });
    }
    headers.set('content-type', 'application/json');
    return new Response(JSON.stringify({ caller }), { status: 200, headers });
  } catch (error) {
    if (form && !(error instanceof HttpError && error.code.startsWith('Origin'))) {
      const code = error instanceof HttpError && error.status === 429 ? 'throttled' : 'invalid';
      const target = `/sign-in?error=${code}${next !== '/' ? `&next=${encodeURIComponent(next)}` : ''}`;
      return new Response(null, {
        status: 303,
        headers: { location: target, 'cache-control': 'no-store', 'x-request-id': requestId },
      });
    }
    return toErrorResponse(error, requestId);
  }
}
