import { CSRF_COOKIE } from '@/server/auth/csrf.schema';

/** The session's CSRF token, from the readable CSRF cookie (double-submit, checked server-side). */
export function readCsrfToken(): string {
  if (typeof document === 'undefined') return '';
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return '';
}

/**
 * The CSRF token, fetching it when the cookie is missing: with the aws backend nobody signs in
 * through the console, so the cookie is set by GET /api/auth/session (which also returns the
 * token). Returns '' when there is no session (the server then answers 401); network errors
 * propagate to the caller.
 */
export async function ensureCsrfToken(): Promise<string> {
  const fromCookie = readCsrfToken();
  if (fromCookie) return fromCookie;
  const response = await fetch('/api/auth/session', { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) return '';
  const body = (await response.json()) as { csrfToken?: unknown };
  return typeof body.csrfToken === 'string' ? body.csrfToken : '';
}
