import type { APIRequestContext, Page } from '@playwright/test';
import { baseURL, LOCAL_PASSWORD, localUsers } from './env';

export type { Role } from './env';
/**
 * Local mode's seeded users (server/auth/users.ts) and their development password (local backend
 * only; documented in the README). Specs start signed in through storage states (fixtures.ts
 * `as(role)`, written by auth.setup.ts); these are for the specs that test the sign-in form itself.
 */
export { baseURL, LOCAL_PASSWORD };
export const users = localUsers;

function originOf(page: Page): string {
  return new URL(page.url().startsWith('http') ? page.url() : baseURL).origin;
}

/** The CSRF token of the context's session (the readable ll_csrf cookie). */
export async function csrfTokenOf(page: Page): Promise<string> {
  const cookies = await page.context().cookies();
  return cookies.find((c) => c.name === 'll_csrf')?.value ?? '';
}

/** A mutating API call as the signed-in user of this page, with Origin and CSRF headers. */
export async function apiPost(page: Page, path: string, data: unknown, extra: Record<string, string> = {}) {
  const request: APIRequestContext = page.request;
  return request.post(path, {
    headers: { origin: originOf(page), 'x-csrf-token': decodeURIComponent(await csrfTokenOf(page)), ...extra },
    data: data as Record<string, unknown>,
  });
}
