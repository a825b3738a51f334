import 'server-only';
import { ZodError } from 'zod';
import { PlatformError } from '../platform/port';

/** The one shape of every API error body. */
export interface ApiErrorBody {
  error: { code: string; message: string; field?: string; requestId: string };
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Extra response headers, e.g. Retry-After on a 429 or Allow on a 405. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const platformStatus: Record<PlatformError['code'], number> = {
  NotFound: 404,
  Conflict: 409,
  Invalid: 422,
  Forbidden: 403,
  Throttled: 429,
  Unavailable: 503,
};

/**
 * Headers every API response carries (set here, not by proxy.ts, which runs for pages only so
 * that polls do not pay for it): never cached, never content-sniffed.
 */
export const API_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

/** Adds API_HEADERS (keeping a cache-control the handler chose) and the request id, in place. */
export function withApiHeaders(response: Response, requestId: string): Response {
  try {
    if (!response.headers.has('cache-control')) response.headers.set('cache-control', API_HEADERS['cache-control']);
    response.headers.set('x-content-type-options', API_HEADERS['x-content-type-options']);
    if (!response.headers.has('x-request-id')) response.headers.set('x-request-id', requestId);
  } catch {
    // Response.redirect() headers are immutable; a redirect has no body to sniff or cache.
  }
  return response;
}

function json(status: number, body: ApiErrorBody, headers: Record<string, string> = {}) {
  return Response.json(body, {
    status,
    headers: { ...API_HEADERS, 'x-request-id': body.error.requestId, ...headers },
  });
}

/** A cause chain as plain data for the server log (name, message, AWS request id and status). */
function describeCause(cause: unknown, depth = 0): unknown {
  if (!(cause instanceof Error)) return String(cause);
  const meta = (cause as { $metadata?: { requestId?: string; httpStatusCode?: number } }).$metadata;
  return {
    name: cause.name,
    message: cause.message,
    ...(meta?.requestId ? { awsRequestId: meta.requestId } : {}),
    ...(meta?.httpStatusCode ? { httpStatusCode: meta.httpStatusCode } : {}),
    ...(cause.cause !== undefined && depth < 3 ? { cause: describeCause(cause.cause, depth + 1) } : {}),
  };
}

/**
 * The one error mapper: ZodError → 422 naming the field; domain errors → their status;
 * AWS throttling → 429 with Retry-After; AccessDenied → 403; anything else → 500 with a
 * generic message and the request id (the detail goes to the server log only).
 */
export function toErrorResponse(error: unknown, requestId: string): Response {
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const field = issue?.path.map(String).join('.') || undefined;
    const message = issue ? `${field ?? 'input'}: ${issue.message}` : 'invalid input';
    return json(422, { error: { code: 'InvalidInput', message, field, requestId } });
  }
  if (error instanceof HttpError) {
    return json(
      error.status,
      { error: { code: error.code, message: error.message, field: error.field, requestId } },
      error.headers,
    );
  }
  if (error instanceof PlatformError) {
    // The message is safe for the client; the detail behind it (the raw AWS error, with ARNs and
    // account ids) is logged here with the request id and never sent.
    if (error.cause !== undefined) {
      console.warn(
        JSON.stringify({
          level: 'warn',
          requestId,
          code: error.code,
          message: error.message,
          detail: describeCause(error.cause),
        }),
      );
    }
    const headers: Record<string, string> = error.retryAfterSeconds
      ? { 'retry-after': String(error.retryAfterSeconds) }
      : {};
    return json(
      platformStatus[error.code],
      { error: { code: error.code, message: error.message, field: error.field, requestId } },
      headers,
    );
  }
  const name = error instanceof Error ? error.name : '';
  if (/Throttl|TooManyRequests|RequestLimitExceeded/.test(name)) {
    return json(
      429,
      { error: { code: 'Throttled', message: 'The platform is throttling requests; retry shortly', requestId } },
      { 'retry-after': '2' },
    );
  }
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/.test(name)) {
    return json(403, {
      error: { code: 'Forbidden', message: 'The platform denied this action for your role', requestId },
    });
  }
  console.error(
    JSON.stringify({
      level: 'error',
      requestId,
      error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
    }),
  );
  return json(500, { error: { code: 'Internal', message: `Something went wrong (request ${requestId})`, requestId } });
}
