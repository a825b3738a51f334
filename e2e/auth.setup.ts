/**
 * Setup project: signs each role in once and stores its session (storage state, gitignored,
 * e2e/.auth/<host>/<role>.json); specs start signed in with `test.use(as(role))`.
 * - embedded platform / a local console: the console's sign-in form with the seeded users. This
 *   POST /api/auth/sign-in (and its auth.sign_in audit row) is the run's one deliberate write
 *   while mutations are off: it happens here, before the gate's "before" snapshot, never in a spec.
 * - a deployed console (E2E_IDP=cognito, or detected: the console redirects to Cognito): the
 *   load balancer's OIDC redirect to Cognito's hosted sign-in page, with E2E_<ROLE>_USERNAME /
 *   E2E_<ROLE>_PASSWORD. Passwords go only into the password field: no trace, screenshot or video
 *   is recorded in this project (playwright.config.ts) and no step or error names them.
 */
import { expect, request as playwrightRequest, test as setup, type Page } from '@playwright/test';
import {
  baseURL,
  consoleOrigin,
  ensureRunDir,
  idpCredentials,
  idpOverride,
  LOCAL_PASSWORD,
  localUsers,
  roles,
  storageStateOf,
  type Idp,
} from './env';
import { SignInPage } from './pages/sign-in-page';

/** How this console signs people in: asked (E2E_IDP), or seen from where `/` sends an anonymous visitor. */
async function detectIdp(): Promise<Idp> {
  if (idpOverride) return idpOverride;
  const request = await playwrightRequest.newContext({ baseURL });
  try {
    const r = await request.get('/', { maxRedirects: 0 });
    const location = r.headers()['location'] ?? '';
    return /amazoncognito\.com|\/oauth2\/authorize/.test(location) ? 'cognito' : 'local';
  } finally {
    await request.dispose();
  }
}

async function signInLocal(page: Page, role: (typeof roles)[number]) {
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(localUsers[role], LOCAL_PASSWORD);
  await expect(page).not.toHaveURL(/\/sign-in/);
}

/**
 * Cognito's hosted page behind the ALB: the classic page renders the form twice (one hidden per
 * screen size), the managed-login page asks for the username first. Fields by name, visible ones.
 */
async function signInCognito(page: Page, role: (typeof roles)[number]) {
  const { username, password } = idpCredentials(role);
  await page.goto('/');
  await page.waitForURL((url) => url.origin !== consoleOrigin, { timeout: 30_000 });
  await page.locator('input[name="username"]:visible').fill(username);
  const passwordField = page.locator('input[name="password"]:visible');
  if (!(await passwordField.isVisible())) await page.locator('button[type="submit"]:visible').first().click();
  await passwordField.fill(password);
  await page.locator('input[name="signInSubmitButton"]:visible, button[type="submit"]:visible').first().click();
  // Cognito -> the ALB's /oauth2/idpresponse -> the console, with the ALB's session cookies.
  await page.waitForURL((url) => url.origin === consoleOrigin && !url.pathname.startsWith('/oauth2/'), {
    timeout: 60_000,
  });
}

let idp: Idp;
setup.beforeAll(async () => {
  ensureRunDir();
  idp = await detectIdp();
});

for (const role of roles) {
  setup(`sign in as ${role}`, async ({ page }) => {
    await (idp === 'cognito' ? signInCognito(page, role) : signInLocal(page, role));
    const session = await page.request.get('/api/auth/session');
    expect(session.ok(), `a session for ${role}`).toBe(true);
    expect(((await session.json()) as { caller?: { role?: string } }).caller?.role).toBe(role);
    await page.context().storageState({ path: storageStateOf(role) });
  });
}
