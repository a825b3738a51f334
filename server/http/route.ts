import 'server-only';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { CSRF_HEADER } from '../auth/csrf.schema';
import { can, type Caller, type Permission } from '../auth/permissions.schema';
import { csrfValid, getSession } from '../auth/session';
import { API_HEADERS, HttpError, toErrorResponse, withApiHeaders } from './errors';
import { assertSameOrigin, idempotencyKeyOf, MUTATING } from './guards';

export interface RouteContext<I> {
  caller: Caller;
  input: I;
  request: Request;
  params: Record<string, string>;
  requestId: string;
  /** The Idempotency-Key header of a mutating request, validated; null when absent. */
  idempotencyKey: string | null;
}

export interface RouteOptions<S extends z.ZodType> {
  /** The permission the caller needs (server/auth/permissions.schema.ts). */
  permission: Permission;
  /** Parses the query string (GET) or the JSON body (other methods). */
  schema?: S;
}

type NextContext = { params: Promise<Record<string, string | string[]>> };

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length > 1 ? all : (all[0] ?? '');
  }
  return out;
}

export function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id');
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Wraps a route handler: request id, caller, permission, input parsing and error mapping,
 * written once (dub's withWorkspace). Mutating methods (POST, PUT, PATCH, DELETE) also need
 * the console's Origin and the session's CSRF token (x-csrf-token), checked before anything
 * is read or done.
 */
export function route<S extends z.ZodType = z.ZodUndefined>(
  options: RouteOptions<S>,
  handler: (ctx: RouteContext<z.infer<S>>) => Promise<unknown>,
) {
  return async (request: Request, context: NextContext): Promise<Response> => {
    const requestId = requestIdOf(request);
    try {
      const mutating = MUTATING.has(request.method);
      if (mutating) assertSameOrigin(request);
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
          raw = await request.json().catch(() => {
            throw new HttpError(400, 'InvalidJson', 'body: the request body must be JSON', 'body');
          });
        }
      }
      const input = (options.schema ? options.schema.parse(raw) : undefined) as z.infer<S>;
      const rawParams = (await context.params) ?? {};
      const params = Object.fromEntries(
        Object.entries(rawParams).map(([k, v]) => [k, Array.isArray(v) ? v.join('/') : v]),
      );
      const result = await handler({ caller, input, request, params, requestId, idempotencyKey });
      if (result instanceof Response) return withApiHeaders(result, requestId);
      return Response.json(result ?? null, { headers: { ...API_HEADERS, 'x-request-id': requestId } });
    } catch (error) {
      return toErrorResponse(error, requestId);
    }
  };
}
