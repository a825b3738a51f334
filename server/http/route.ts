import 'server-only';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { CSRF_HEADER } from '../auth/csrf.schema';
import { can, type Caller, type Permission } from '../auth/permissions.schema';
import { csrfValid, getSession } from '../auth/session';
import type { OpsContext, RequestMeta } from '../ops/context';
import type { ActionOutcome } from '../ops/ops.schema';
import { getOpsContext } from '../ops/server-context';
import { assertContentLength, DEFAULT_MAX_BODY_BYTES, readJsonBody } from './body';
import { API_HEADERS, HttpError, toErrorResponse, withApiHeaders } from './errors';
import { assertSameOrigin, idempotencyKeyOf, MUTATING } from './guards';

export interface RouteContext<I> {
  /** The server's ops context: what every verb takes first. */
  ops: OpsContext;
  caller: Caller;
  input: I;
  /** The request id and the Idempotency-Key header (validated; null when absent or not mutating). */
  meta: RequestMeta;
  request: Request;
  params: Record<string, string>;
  requestId: string;
  idempotencyKey: string | null;
}

export interface RouteOptions<S extends z.ZodType> {
  /** The permission the caller needs (server/auth/permissions.schema.ts). */
  permission: Permission;
  /** Parses the query string (GET) or the JSON body (other methods). */
  schema?: S;
  /** Checked before anything else, e.g. the local fault API's backend, switch and loopback checks. */
  precondition?: (request: Request) => void;
  /**
   * Mutating requests may omit Origin (a loopback script such as the e2e driver); a browser's
   * Origin or Sec-Fetch-Site, when sent, is still checked, and the session's CSRF token always is.
   */
  originOptional?: boolean;
  /** The largest body this route accepts (default DEFAULT_MAX_BODY_BYTES, 256 kB); larger = 413 naming `body`. */
  maxBodyBytes?: number;
}

type NextContext = { params: Promise<Record<string, string | string[]>> };

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The query string as an object of own properties (fromEntries: `?__proto__=` is a key like any other). */
function queryObject(url: URL): Record<string, string | string[]> {
  return Object.fromEntries(
    [...new Set(url.searchParams.keys())].map((key) => {
      const all = url.searchParams.getAll(key);
      return [key, all.length > 1 ? all : (all[0] ?? '')];
    }),
  );
}

/** A write verb's answer (ops.schema.ts ActionOutcome): its status and audit row. */
function isActionOutcome(result: unknown): result is ActionOutcome<unknown> {
  if (!result || typeof result !== 'object' || !('auditSeq' in result) || !('status' in result)) return false;
  return result.status === 'started' || result.status === 'pending_approval';
}

export function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id');
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Wraps a route handler: request id, caller, permission (the console's one check), input
 * parsing, the ops context and request metadata, and error mapping, written once (dub's
 * withWorkspace). Mutating methods (POST, PUT, PATCH, DELETE) also need the console's Origin
 * and the session's CSRF token (x-csrf-token), checked before anything is read or done. A
 * verb's ActionOutcome answers 200 when it started, 202 when it waits for an approval. Bodies
 * over `maxBodyBytes` (256 kB by default) answer 413 before they are parsed.
 */
export function route<S extends z.ZodType = z.ZodUndefined>(
  options: RouteOptions<S>,
  handler: (ctx: RouteContext<z.infer<S>>) => unknown,
) {
  return async (request: Request, context: NextContext): Promise<Response> => {
    const requestId = requestIdOf(request);
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    try {
      options.precondition?.(request);
      // A declared oversize body is refused before the session is even looked at; a chunked one
      // is counted as it is read below and refused at the limit, never buffered whole.
      assertContentLength(request, maxBodyBytes);
      const mutating = MUTATING.has(request.method);
      const browser = request.headers.get('origin') !== null || request.headers.get('sec-fetch-site') !== null;
      if (mutating && (!options.originOptional || browser)) assertSameOrigin(request);
      const session = await getSession(request);
      if (!session) throw new HttpError(401, 'Unauthenticated', 'Sign in to use the console');
      const { caller } = session;
      if (mutating && !csrfValid(session, request.headers.get(CSRF_HEADER))) {
        throw new HttpError(
          403,
          'CsrfTokenInvalid',
          `${CSRF_HEADER}: missing or not this session's CSRF token`,
          CSRF_HEADER,
        );
      }
      if (!can(caller.role, options.permission)) {
        throw new HttpError(403, 'Forbidden', `Your role (${caller.role}) does not allow ${options.permission}`);
      }
      const idempotencyKey = mutating ? idempotencyKeyOf(request) : null;
      let raw: unknown = undefined;
      if (options.schema) {
        if (request.method === 'GET' || request.method === 'HEAD') {
          raw = queryObject(new URL(request.url));
        } else {
          raw = await readJsonBody(request, maxBodyBytes);
        }
      }
      const input = (options.schema ? options.schema.parse(raw) : undefined) as z.infer<S>;
      const rawParams = (await context.params) ?? {};
      const params = Object.fromEntries(
        Object.entries(rawParams).map(([k, v]) => [k, Array.isArray(v) ? v.join('/') : v]),
      );
      const ops = await getOpsContext();
      const meta: RequestMeta = { requestId, idempotencyKey };
      const result = await handler({ ops, caller, input, meta, request, params, requestId, idempotencyKey });
      if (result instanceof Response) return withApiHeaders(result, requestId);
      const status = isActionOutcome(result) && result.status === 'pending_approval' ? 202 : 200;
      return Response.json(result ?? null, { status, headers: { ...API_HEADERS, 'x-request-id': requestId } });
    } catch (error) {
      return toErrorResponse(error, requestId);
    }
  };
}
