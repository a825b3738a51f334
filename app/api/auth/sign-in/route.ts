import { recordSignIn } from '@/server/audit/auth-events';
import { clientAddress } from '@/server/auth/client-address';
import { isHttps } from '@/server/auth/cookies';
import { openLocalSession } from '@/server/auth/session';
import { safeNext, signInInput, signInLocal } from '@/server/auth/sign-in';
import { readFormBody, readJsonBody } from '@/server/http/body';
import { HttpError, toErrorResponse } from '@/server/http/errors';
import { assertSameOrigin } from '@/server/http/guards';
import { otherMethods } from '@/server/http/methods';
import { requestIdOf } from '@/server/http/route';

export const dynamic = 'force-dynamic';

/**
 * Local sign-in. The HTML form posts urlencoded and gets 303 redirects (works without
 * JavaScript); a JSON body gets JSON. Origin must be ours (login CSRF). Throttled per account
 * and client address (server/auth/sign-in-throttle.ts): 429 with Retry-After, or the form's
 * /sign-in?error=throttled.
 */
export async function POST(request: Request): Promise<Response> {
  const requestId = requestIdOf(request);
  const form = !(request.headers.get('content-type') ?? '').includes('application/json');
  let next = '/';
  try {
    assertSameOrigin(request);
    // Within the 256 kB body limit, counted as it is read (413 naming `body`), before parsing.
    const raw: unknown = form ? await readFormBody(request) : await readJsonBody(request);
    const rawNext = raw && typeof raw === 'object' ? (raw as { next?: unknown }).next : undefined;
    next = safeNext(typeof rawNext === 'string' ? rawNext : undefined);
    const input = signInInput.parse(raw);
    const caller = await signInLocal({
      email: input.email,
      password: input.password,
      address: clientAddress(request),
      requestId,
    });
    const { setCookies } = await openLocalSession(caller, isHttps(request));
    await recordSignIn(caller, requestId, 'auth.sign_in');
    const headers = new Headers({ 'cache-control': 'no-store', 'x-request-id': requestId });
    for (const c of setCookies) headers.append('set-cookie', c);
    if (form) {
      headers.set('location', next);
      return new Response(null, { status: 303, headers });
    }
    headers.set('content-type', 'application/json');
    return new Response(JSON.stringify({ caller }), { status: 200, headers });
  } catch (error) {
    // A refused Origin or an oversize body (neither comes from our form) gets its 4xx as JSON.
    const plain = error instanceof HttpError && (error.code.startsWith('Origin') || error.status === 413);
    if (form && !plain) {
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

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
