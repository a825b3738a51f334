import { MUTATES, stage } from './env';
import { expect, test } from './fixtures';

// The seeded users' one-click sign-in exists only with the local backend.
test.skip(stage !== 'local', 'the seeded users exist only with the local backend');
// A fresh browser: no stored session.
test.use({ storageState: { cookies: [], origins: [] } });

test(
  "a newcomer's first minute: the sign-in page, one click as a seeded user, the overview; the browser logs no error and no request fails",
  { tag: MUTATES },
  async ({ page }) => {
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${new URL(r.url()).pathname}`);
    });

    await page.goto('/sign-in');
    await page
      .getByRole('button', { name: /^Continue as .*\(operator\)$/ })
      .first()
      .click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.getByText(/Updated \d+ s ago/)).toBeVisible({ timeout: 30_000 });
    expect(problems).toEqual([]);
  },
);
