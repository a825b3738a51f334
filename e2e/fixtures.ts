import AxeBuilder from '@axe-core/playwright';
import { test as base } from '@playwright/test';

/** Serious and critical axe violations of the current page (WCAG 2.x A/AA rules). */
export type AxeScan = () => Promise<
  { id: string; impact: string | null | undefined; help: string; targets: string[] }[]
>;

export const test = base.extend<{ axe: AxeScan }>({
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
