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
