import type { Locator } from '@playwright/test';
import { as, expect, test } from './fixtures';

test.use(as('viewer'));

/** How far (px) the figure's plot is from its container's width. */
async function widthGap(figure: Locator): Promise<number> {
  const plot = await figure.locator('.uplot').boundingBox();
  const container = await figure.getByRole('img').boundingBox();
  return Math.abs(plot!.width - container!.width);
}

/** How many of the plot's canvas pixels are painted (not fully transparent). */
async function paintedPixels(plot: Locator): Promise<number> {
  return plot.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted += 1;
    return painted;
  });
}

test('the queue charts draw one plot each, at their container’s width, with their series, and follow a resize', async ({
  page,
}) => {
  test.setTimeout(60_000);
  // The page arrives with its data (ServerData): with every browser read of the platform refused,
  // no poll brings new data, so what is painted is drawn from the data the page arrived with.
  await page.route(/\/api\/platform(\/|\?|$)/, (route) => route.abort());
  await page.goto('/queues');
  const figures = page.getByRole('figure').filter({ has: page.getByRole('img') });
  // The processing pair's two charts: its messages and its oldest message age.
  await expect(figures).toHaveCount(2, { timeout: 15_000 });
  for (const figure of await figures.all()) {
    // A chart loads when it comes near the viewport.
    await figure.scrollIntoViewIfNeeded();
    const plot = figure.locator('.uplot');
    // Set up in one task and drawn in the next: once drawn, one plot, with its canvas painted.
    await expect(plot).toHaveCount(1, { timeout: 15_000 });
    await expect.poll(() => paintedPixels(plot), { timeout: 10_000 }).toBeGreaterThan(1_000);
    await expect(plot.locator('.u-legend')).toContainText(/processing/);
    expect(await widthGap(figure)).toBeLessThanOrEqual(1);
  }
  // Narrower: each plot is sized again to its container (a resize is not a second plot).
  await page.setViewportSize({ width: 600, height: 800 });
  for (const figure of await figures.all()) {
    await expect.poll(() => widthGap(figure)).toBeLessThanOrEqual(1);
    await expect(figure.locator('.uplot')).toHaveCount(1);
    expect((await figure.getByRole('img').boundingBox())!.width).toBeLessThan(600);
  }
});
