import { expectedBackend, expectedEnvironment } from './env';
import { as, expect, test } from './fixtures';
import { ShellPage } from './pages/shell-page';

const entries = [
  { label: 'Overview', path: '/' },
  { label: 'Alarms', path: '/alarms' },
  { label: 'Queues', path: '/queues' },
  { label: 'Sagas', path: '/sagas' },
  { label: 'Replays', path: '/replays' },
  { label: 'Approvals', path: '/approvals' },
  { label: 'Audit', path: '/audit' },
];

test.use(as('viewer'));

test('every navigation entry opens its page with the environment shown and no serious accessibility violation', async ({
  page,
  axe,
}) => {
  const shell = new ShellPage(page);
  await shell.open('/');
  await expect(shell.environment()).toContainText(expectedEnvironment);
  for (const entry of entries) {
    await shell.navigateTo(entry.label);
    await expect(page).toHaveURL(new RegExp(`${entry.path === '/' ? '/$' : entry.path}`));
    await expect(shell.heading()).toHaveText(entry.label);
    await expect(shell.navLink(entry.label)).toHaveAttribute('aria-current', 'page');
    await expect(shell.environment()).toBeVisible();
    expect(await axe(), `axe on ${entry.path}`).toEqual([]);
  }
});

test('the theme toggle switches between light and dark and is remembered', async ({ page, axe }) => {
  const shell = new ShellPage(page);
  await shell.open('/');
  const before = await page.locator('html').getAttribute('data-theme');
  await shell.themeToggle().click();
  const after = before === 'dark' ? 'light' : 'dark';
  await expect(page.locator('html')).toHaveAttribute('data-theme', after);
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', after);
  expect(await axe(), `axe in ${after} theme`).toEqual([]);
});

test('the health endpoint reports the backend kind and version', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.ok()).toBe(true);
  const body = (await response.json()) as { backend: string; version: string };
  expect(body.backend).toBe(expectedBackend);
  expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
});
