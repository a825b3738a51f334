import { ApiError } from '@/components/providers/api-client';

/**
 * The client's mutating-request helper: sends the session's CSRF token (from the readable
 * ll_csrf cookie), an Idempotency-Key (stable per user intent, so a double click or a retry
 * starts one action), and turns error bodies into the console's one ApiError (status, field,
 * request id), so the query client's "never retry 4xx" rule applies to it too.
 */
export const CSRF_COOKIE = 'll_csrf';

export function readCsrfToken(): string {
  if (typeof document === 'undefined') return '';
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return '';
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

export async function postJson<T>(url: string, body: unknown, idempotencyKey?: string): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/json',
    'x-csrf-token': readCsrfToken(),
  };
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body ?? {}) });
  } catch {
    throw new ApiError(0, 'NetworkError', 'The console could not reach its server', null);
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; field?: string; requestId?: string } } | null)
      ?.error;
    throw new ApiError(
      response.status,
      error?.code ?? `HTTP${response.status}`,
      error?.message ?? `The request failed with status ${response.status}`,
      error?.requestId ?? response.headers.get('x-request-id'),
      error?.field,
    );
  }
  return parsed as T;
}
