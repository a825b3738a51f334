import { LOCAL_PASSWORD, users } from './auth';
import { MUTATES, stage } from './env';
import { expect, test } from './fixtures';
import { ShellPage } from './pages/shell-page';
import { SignInPage } from './pages/sign-in-page';

// The console's own sign-in form exists only with the local backend (a deployed console signs in at the IdP).
test.skip(stage !== 'local', 'the local sign-in form exists only with the local backend');

test(
  'an unauthenticated visit goes to sign-in, and signing in returns to the page asked for',
  { tag: MUTATES },
  async ({ page, axe }) => {
    const signIn = new SignInPage(page);
    const shell = new ShellPage(page);
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await shell.open('/queues');
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fqueues$/);
    await expect(signIn.heading()).toBeVisible();
    expect(await axe(), 'axe on /sign-in').toEqual([]);

    await signIn.signIn(users.operator, 'wrong password');
    await expect(signIn.error()).toHaveText('Wrong email or password.');

    await signIn.signIn(users.operator, LOCAL_PASSWORD);
    await expect(page).toHaveURL(/\/queues$/);
    await expect(shell.signedInAs()).toContainText('Omar Operator');
    await expect(shell.signedInAs()).toContainText('operator');
    expect(cspViolations).toEqual([]);
  },
);

test(
  'pages carry a nonce-based CSP and the security headers; the session cookie is HttpOnly and SameSite=Strict',
  { tag: MUTATES },
  async ({ page }) => {
    const signIn = new SignInPage(page);
    await signIn.open();
    await signIn.signIn(users.viewer, LOCAL_PASSWORD);
    const response = await page.goto('/');
    const headers = response!.headers();
    expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(headers['content-security-policy']).toContain(`frame-ancestors 'none'`);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toBe('DENY');
    const session = (await page.context().cookies()).find((c) => c.name === 'll_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
  },
);

test(
  'the API answers 401 without a session and a mutating call from another origin gets 403',
  { tag: MUTATES },
  async ({ request }) => {
    const anonymous = await request.get('/api/auth/session');
    expect(anonymous.status()).toBe(401);
    const forged = await request.post('/api/auth/sign-in', {
      headers: { origin: 'https://evil.example' },
      data: { email: users.admin, password: LOCAL_PASSWORD },
    });
    expect(forged.status()).toBe(403);
  },
);
