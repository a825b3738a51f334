/**
 * A role's stored session (setup project) as an API request context of its own: the drivers
 * read the console with it (saga statuses) and the local driver calls the admin API with it.
 */
import { readFileSync } from 'node:fs';
import { request as playwrightRequest, type APIRequestContext } from '@playwright/test';
import { baseURL, storageStateOf, type Role } from '../env';
import type { SagaStatusReader } from './platform-driver';

export interface ConsoleSession {
  request: APIRequestContext;
  /** The session's CSRF token (the readable ll_csrf cookie; empty behind the IdP). */
  csrfToken: string;
}

export async function openConsoleSession(role: Role): Promise<ConsoleSession> {
  const storageState = storageStateOf(role);
  const state = JSON.parse(readFileSync(storageState, 'utf8')) as { cookies: { name: string; value: string }[] };
  const csrf = state.cookies.find((c) => c.name === 'll_csrf')?.value ?? '';
  const request = await playwrightRequest.newContext({ baseURL, storageState });
  return { request, csrfToken: decodeURIComponent(csrf) };
}

/** GET /api/platform/sagas/<id> (a saga's id is its transaction id): its status, or undefined. */
export function sagaStatusReader(session: ConsoleSession): SagaStatusReader {
  return async (transactionId) => {
    const r = await session.request.get(`/api/platform/sagas/${encodeURIComponent(transactionId)}`);
    if (r.status() === 404) return undefined;
    if (!r.ok()) throw new Error(`GET saga ${transactionId}: HTTP ${r.status()}`);
    return ((await r.json()) as { status?: string }).status;
  };
}
