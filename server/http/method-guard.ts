import 'server-only';
import { randomUUID } from 'node:crypto';
import http from 'node:http';

/** The methods Next hands to route handlers and pages (next/dist/server/web/http.js). */
export const NEXT_ROUTED_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;
const ROUTED = new Set<string>(NEXT_ROUTED_METHODS);
const INSTALLED = Symbol.for('ledgerline.methodGuard');

/**
 * TRACE cannot reach any code of ours through Next: the fetch Request that Next builds for a
 * route handler or proxy.ts refuses it ("'TRACE' HTTP method is unsupported"), outside the
 * handler's try, so Next answers 500. Other methods Node parses but Next does not route
 * (PROPFIND, PURGE) get a bare 400. (Tokens Node does not know, e.g. TRACK, are answered 400
 * by Node's parser itself; CONNECT without a listener closes the connection.) This answers every method Next does not route with a 405
 * (JSON naming the method, Allow listing the methods the console uses) before Next sees it.
 * Returns true when it answered.
 */
export function refuseUnroutedMethod(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const method = req.method ?? '';
  if (ROUTED.has(method)) return false;
  const requestId = randomUUID();
  const shown = /^[A-Za-z-]{1,20}$/.test(method) ? method : 'this method';
  const body = JSON.stringify({
    error: { code: 'MethodNotAllowed', message: `method: ${shown} is not supported`, field: 'method', requestId },
  });
  res.writeHead(405, {
    allow: NEXT_ROUTED_METHODS.join(', '),
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-request-id': requestId,
    connection: 'close',
  });
  res.end(body);
  return true;
}

type Emit = http.Server['emit'];

/**
 * Puts refuseUnroutedMethod in front of every HTTP server of this process (once). Meant for
 * instrumentation.ts register() (Node runtime), which runs in `next start`'s process before it
 * serves: Next offers no other hook that sees a request before it builds the Request object.
 */
export function installMethodGuard(): void {
  const proto = http.Server.prototype as http.Server & { [INSTALLED]?: true };
  if (proto[INSTALLED]) return;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- re-applied with the server as `this` below
  const emit: Emit = proto.emit;
  proto.emit = function guardedEmit(this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'request') {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      if (refuseUnroutedMethod(req, res)) return true;
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as Emit;
  proto[INSTALLED] = true;
}
