/**
 * The mutation gate's enforcement: every request a test makes to the console is recorded
 * (`requests.jsonl` of the run's folder), and while mutations are off (E2E_BASE_URL set without
 * E2E_ALLOW_MUTATIONS=true) every POST / PUT / PATCH / DELETE to the console is refused before it
 * leaves: aborted in the browser (context.route), thrown in API request contexts.
 */
import { appendFileSync } from 'node:fs';
import type { APIRequestContext, BrowserContext } from '@playwright/test';
import { consoleOrigin, ensureRunDir, mutationsAllowed, requestLogFile } from '../env';

export const MUTATING_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const isMutating = (method: string) => (MUTATING_METHODS as readonly string[]).includes(method.toUpperCase());

export interface RecordedRequest {
  method: string;
  url: string;
  test: string;
  via: 'browser' | 'api' | 'driver';
  /** Refused by the gate (never reached the console). */
  blocked: boolean;
}

const toConsole = (url: string) => {
  try {
    return new URL(url).origin === consoleOrigin;
  } catch {
    return true; // a relative URL resolves against the console
  }
};

/** Records one request to the console; true when the gate refuses it. */
export function recordRequest(method: string, url: string, test: string, via: RecordedRequest['via']): boolean {
  if (!toConsole(url)) return false;
  const blocked = !mutationsAllowed && isMutating(method);
  ensureRunDir();
  const entry: RecordedRequest = { method: method.toUpperCase(), url, test, via, blocked };
  appendFileSync(requestLogFile, `${JSON.stringify(entry)}\n`);
  return blocked;
}

export class MutationRefused extends Error {
  constructor(method: string, url: string) {
    super(`mutation gate: ${method} ${url} refused (E2E_BASE_URL is set without E2E_ALLOW_MUTATIONS=true)`);
  }
}

/**
 * Browser side: every console request is recorded (the context's request event); while the gate
 * is closed, mutating ones are aborted (context.route; built assets under /_next/static/ are
 * left out of the route, they are GET-only and routing them would only slow every page).
 */
export async function guardBrowserContext(context: BrowserContext, test: string): Promise<void> {
  context.on('request', (r) => {
    recordRequest(r.method(), r.url(), test, 'browser');
  });
  if (mutationsAllowed) return;
  await context.route(
    (url) => url.origin === consoleOrigin && !url.pathname.startsWith('/_next/static/'),
    async (route) => {
      if (isMutating(route.request().method())) await route.abort('blockedbyclient');
      else await route.fallback();
    },
  );
}

/**
 * API side (page.request, context.request, the `request` fixture): their get/post/put/patch/
 * delete all go through fetch(), which is wrapped on the instance.
 */
export function guardApiContext(request: APIRequestContext, test: string): void {
  const original = request.fetch.bind(request);
  const guarded: APIRequestContext['fetch'] = async (urlOrRequest, options) => {
    const method = options?.method ?? (typeof urlOrRequest === 'string' ? 'GET' : urlOrRequest.method());
    const url = typeof urlOrRequest === 'string' ? new URL(urlOrRequest, consoleOrigin).href : urlOrRequest.url();
    if (recordRequest(method, url, test, 'api')) throw new MutationRefused(method, url);
    return original(urlOrRequest, options);
  };
  Object.defineProperty(request, 'fetch', { value: guarded, configurable: true, writable: true });
}
