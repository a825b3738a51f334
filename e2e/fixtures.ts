import AxeBuilder from '@axe-core/playwright';
import { test as base, type BrowserContext } from '@playwright/test';
import { createDriver } from './drivers';
import type { PlatformDriver } from './drivers/platform-driver';
import { MUTATES, mutationsAllowed, mutationsSkipReason, storageStateOf, type Role } from './env';
import { guardApiContext, guardBrowserContext } from './gate/request-guard';

/** Serious and critical axe violations of the current page (WCAG 2.x A/AA rules). */
export type AxeScan = () => Promise<
  { id: string; impact: string | null | undefined; help: string; targets: string[] }[]
>;

/** `test.use(as('viewer'))`: the spec's pages are signed in with that role's stored session (setup project). */
export const as = (role: Role) => ({ storageState: storageStateOf(role) });

export const test = base.extend<{
  axe: AxeScan;
  mutationGate: void;
  /** Another browser context signed in as `role` (e.g. a second person approving), guarded like the page's. */
  contextAs: (role: Role) => Promise<BrowserContext>;
  /** Makes failures on the platform (local admin API or AWS); cleans up after the test. */
  driver: PlatformDriver;
}>({
  // Every test: specs tagged @mutates are skipped while mutations are off, and every request the
  // test's contexts send to the console is recorded and, while mutations are off, refused if it mutates.
  mutationGate: [
    async ({ context, request }, use, testInfo) => {
      if (!mutationsAllowed && testInfo.tags.includes(MUTATES)) testInfo.skip(true, mutationsSkipReason);
      const title = testInfo.titlePath.slice(1).join(' › ');
      await guardBrowserContext(context, title);
      guardApiContext(context.request, title);
      guardApiContext(request, title);
      await use();
    },
    { auto: true },
  ],
  contextAs: async ({ browser }, use, testInfo) => {
    const opened: BrowserContext[] = [];
    await use(async (role) => {
      const context = await browser.newContext(as(role));
      opened.push(context);
      const title = `${testInfo.titlePath.slice(1).join(' › ')} (as ${role})`;
      await guardBrowserContext(context, title);
      guardApiContext(context.request, title);
      return context;
    });
    for (const c of opened) await c.close();
  },
  driver: async ({}, use, testInfo) => {
    const driver = await createDriver(testInfo.titlePath.slice(1).join(' › '));
    try {
      await use(driver);
    } finally {
      await driver.cleanup();
    }
  },
  axe: async ({ page }, use) => {
    await use(async () => {
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      return results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
    });
  },
});

export { expect } from '@playwright/test';
