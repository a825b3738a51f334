import { NextResponse, type NextRequest } from 'next/server';
import { isHttps } from './server/auth/cookies';
import { getSession } from './server/auth/session';
import { contentSecurityPolicy, securityHeaders } from './server/http/security-headers';

/**
 * Runs before every page request (not API routes, not static assets):
 * - security headers and a nonce-based CSP on every page;
 * - pages need a session: without one the visitor is sent to /sign-in?next=<path>.
 * API routes are not matched, so the console's polls do not pay for a nonce and a session
 * check twice: route() (server/http/route.ts) authenticates them (401) and sets their
 * headers (no-store, nosniff; server/http/errors.ts API_HEADERS). Keep it that way: for a
 * matched request Next clones and buffers the body (up to 10 MB) before the handler runs, which
 * would defeat the body limit (server/http/body.ts); 405s come from server/http/methods.ts.
 */
const PUBLIC_PAGES = ['/sign-in'];

function isPublic(pathname: string): boolean {
  return PUBLIC_PAGES.includes(pathname);
}

export async function proxy(request: NextRequest) {
  const https = isHttps(request);
  const nonce = btoa(crypto.randomUUID());
  const csp = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === 'development', https });

  if (!isPublic(request.nextUrl.pathname)) {
    const session = await getSession(request);
    if (!session) {
      const target = new URL('/sign-in', request.url);
      const next = request.nextUrl.pathname + request.nextUrl.search;
      if (next !== '/') target.searchParams.set('next', next);
      const redirect = NextResponse.redirect(target, 303);
      for (const [k, v] of Object.entries(securityHeaders({ https }))) redirect.headers.set(k, v);
      return redirect;
    }
  }

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  for (const [k, v] of Object.entries(securityHeaders({ https }))) response.headers.set(k, v);
  return response;
}

export const config = {
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico|.*\\.(?:woff2?|png|svg|ico)$).*)'],
};
