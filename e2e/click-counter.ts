import type { Page } from '@playwright/test';

/**
 * Counts every trusted click in the page, across client-side navigations (the "≤ N clicks"
 * acceptance lines). Install before the first navigation to count.
 */
export async function countClicks(page: Page): Promise<{ count: () => number; reset: () => void }> {
  let clicks = 0;
  await page.exposeBinding('__llCountClick', () => {
    clicks += 1;
  });
  await page.addInitScript(() => {
    document.addEventListener(
      'click',
      (e) => {
        if (e.isTrusted) (window as unknown as { __llCountClick: () => void }).__llCountClick();
      },
      true,
    );
  });
  return {
    count: () => clicks,
    reset: () => {
      clicks = 0;
    },
  };
}
