import 'server-only';
import { randomUUID } from 'node:crypto';
import { API_HEADERS } from './errors';

/**
 * 405 answers with an `Allow` header and a JSON body. Next answers a method a route file does
 * not export with a bare 405 (no body, no Allow), so each route file refuses the methods it
 * does not implement through this helper, one line after its handlers:
 *
 *   export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
 *
 * The type only offers the methods the file does not implement (destructuring one it does is
 * a compile error); methods.test.ts imports the route files and checks that every method is
 * exported, so none can be forgotten. OPTIONS is ours too (204 with the same Allow): Next's own
 * would count the refusals as implemented. HEAD follows GET (Next), or is refused without GET. Why not proxy.ts over /api: a matched proxy makes Next clone and buffer
 * every request body (up to 10 MB, body-streams.js) before the route runs, which defeats the
 * body limit, and it would add a hop to every poll; and why not Next alone: it cannot be told.
 */
export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

// Next passes (request, { params }); the refusal reads neither.
type Handler = (request: Request, context: never) => unknown;
type Implemented = Partial<Record<RouteMethod, Handler>>;
type Refused<H> = Exclude<RouteMethod, keyof H> | ('GET' extends keyof H ? never : 'HEAD');
type Refusal = (request: Request) => Response;

/** The Allow header of a route with these handlers (HEAD with GET, OPTIONS always: Next answers both). */
export function allowOf(implemented: readonly string[]): string {
  const allow = new Set(implemented);
  if (allow.has('GET')) allow.add('HEAD');
  allow.add('OPTIONS');
  return [...allow].sort().join(', ');
}

/** A 405 naming the method, in the console's error shape, with Allow. */
export function methodNotAllowed(method: string, allow: string): Response {
  const requestId = randomUUID();
  const shown = /^[A-Za-z-]{1,20}$/.test(method) ? method : 'this method';
  return Response.json(
    {
      error: {
        code: 'MethodNotAllowed',
        message: `method: ${shown} is not allowed on this route (allowed: ${allow})`,
        field: 'method',
        requestId,
      },
    },
    { status: 405, headers: { ...API_HEADERS, allow, 'x-request-id': requestId } },
  );
}

/**
 * OPTIONS (204 with Allow) and a 405 (JSON, Allow) for every method the route does not
 * implement. The argument is the route's own handlers, e.g. `{ GET }` or `{ GET, POST }`.
 */
export function otherMethods<H extends Implemented>(implemented: H): Record<Refused<H> | 'OPTIONS', Refusal> {
  const names = ROUTE_METHODS.filter((m) => implemented[m] !== undefined);
  const allow = allowOf(names);
  const refuse: Refusal = (request) => methodNotAllowed(request.method, allow);
  const refused: string[] = ROUTE_METHODS.filter((m) => implemented[m] === undefined);
  if (!names.includes('GET')) refused.push('HEAD');
  const options: Refusal = () => new Response(null, { status: 204, headers: { ...API_HEADERS, allow } });
  return { ...Object.fromEntries(refused.map((m) => [m, refuse])), OPTIONS: options } as Record<
    Refused<H> | 'OPTIONS',
    Refusal
  >;
}
