import { test, type APIRequestContext, type Page } from '@playwright/test';

/** Roles of the permission matrix (server/auth/permissions.schema.ts). */
export type Role = 'viewer' | 'operator' | 'approver' | 'admin';

/**
 * Local mode's seeded users (server/auth/users.ts) and their development password
 * (local backend only; documented in the README).
 */
export const LOCAL_PASSWORD = process.env.E2E_PASSWORD ?? 'ledgerline-local';
export const users = {
  viewer: 'viewer@ledgerline.local',
  operator: 'operator@ledgerline.local',
  operator2: 'operator2@ledgerline.local',
  approver: 'approver@ledgerline.local',
  admin: 'admin@ledgerline.local',
} as const;
export type SeededUser = keyof typeof users;

/** Same rule as playwright.config.ts. */
export const baseURL = process.env.E2E_BASE_URL ?? `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`;

function originOf(page: Page): string {
  return new URL(page.url().startsWith('http') ? page.url() : baseURL).origin;
}

/**
 * Signs the page's browser context in (cookies shared with page.request), through the same
 * endpoint the sign-in form posts to. `user` picks another seeded user (e.g. 'operator2').
 */
export async function signInAs(page: Page, role: Role, user: SeededUser = role): Promise<void> {
  await test.step(`sign in as ${user}`, async () => {
    const origin = originOf(page);
    const response = await page.request.post('/api/auth/sign-in', {
      headers: { origin, 'content-type': 'application/json' },
      data: { email: users[user], password: LOCAL_PASSWORD },
    });
    if (!response.ok())
      throw new Error(`sign-in as ${user} failed: HTTP ${response.status()} ${await response.text()}`);
  });
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
