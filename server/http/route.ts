import 'server-only';

import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { type Caller, can, type Permission } from '../auth/permissions.schema';
import { getCaller } from '../auth/session';
import { HttpError, toErrorResponse } from './errors';

export interface RouteContext<I> {
  caller: Caller;
  input: I;
  request: Request;
  params: Record<string, string>;
  requestId: string;
}

export interface RouteOptions<S extends z.ZodType> {
  /** The permission the caller needs (server/auth/permissions.schema.ts). */
  permission: Permission;
  /** Parses the query string (GET) or the JSON body (other methods). */
  schema?: S;
}

type NextContext = { params: Promise<Record<string, string | string[]>> };

function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length > 1 ? all : (all[0] ?? '');
  }
  return out;
}

/**
 * Wraps a route handler: request id, caller, permission, input parsing and error mapping,
 * written once (dub's withWorkspace). Mutating methods additionally go through the
 * session's CSRF/Origin checks in getCaller's request guard (server/auth).
 */
export function route<S extends z.ZodType = z.ZodUndefined>(
  options: RouteOptions<S>,
  handler: (ctx: RouteContext<z.infer<S>>) => Promise<unknown>,
) {
  return async (request: Request, context: NextContext): Promise<Response> => {
    const requestId = request.headers.get('x-request-id') ?? randomUUID();
    try {
      const caller = await getCaller(request);
      if (!caller) throw new HttpError(401, 'Unauthenticated', 'Sign in to use the console');
      if (!can(caller.role, options.permission)) {
        throw new HttpError(403, 'Forbidden', `Your role (${caller.role}) does not allow ${options.permission}`);
      }
      let raw: unknown = undefined;
      if (options.schema) {
        if (request.method === 'GET' || request.method === 'HEAD') {
          raw = queryObject(new URL(request.url));
        } else {
          raw = await request.json().catch(() => {
            throw new HttpError(400, 'InvalidJson', 'The request body must be JSON');
          });
        }
      }
      const input = (options.schema ? options.schema.parse(raw) : undefined) as z.infer<S>;
      const rawParams = (await context.params) ?? {};
      const params = Object.fromEntries(
        Object.entries(rawParams).map(([k, v]) => [k, Array.isArray(v) ? v.join('/') : v]),
      );
      const result = await handler({ caller, input, request, params, requestId });
      if (result instanceof Response) return result;
      return Response.json(result ?? null, { headers: { 'cache-control': 'no-store', 'x-request-id': requestId } });
    } catch (error) {
      return toErrorResponse(error, requestId);
    }
  };
}
