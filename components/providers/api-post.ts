import { ensureCsrfToken } from '@/components/auth/csrf';
import { errorFromResponse, networkError } from '@/components/providers/api-client';
import { CSRF_HEADER } from '@/server/auth/csrf.schema';

/**
 * The client's mutating-request helper: sends the session's CSRF token, an Idempotency-Key
 * (stable per user intent, so a double click or a retry starts one action), and turns error
 * bodies into the console's one ApiError (status, field, request id), so the query client's
 * "never retry 4xx" rule applies to it too.
 */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

export async function postJson<T>(url: string, body: unknown, idempotencyKey?: string): Promise<T> {
  let response: Response;
  try {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': 'application/json',
      // With the aws backend the cookie may not be set yet: fetched from /api/auth/session then.
      [CSRF_HEADER]: await ensureCsrfToken(),
    };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body ?? {}) });
  } catch {
    throw networkError();
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) throw errorFromResponse(response, parsed);
  return parsed as T;
}
