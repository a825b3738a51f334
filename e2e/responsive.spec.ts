import { alarmOf } from './env';
import { as, expect, test } from './fixtures';

const DLQ_ALARM = alarmOf('processing-dlq-depth');

// A phone's viewport, without isMobile: with it Chromium widens the layout viewport to fit
// overflowing content, and innerWidth would grow with the overflow this spec looks for.
test.use({ viewport: { width: 390, height: 844 }, ...as('viewer') });

test('at 390 × 844 no console page scrolls sideways and none has a serious or critical accessibility violation', async ({
  page,
  axe,
}) => {
  test.setTimeout(300_000);
  const r = await page.request.get('/api/platform/sagas?status=COMPENSATED&range=7d&limit=1');
  const sagaId = ((await r.json()) as { items: { id: string }[] }).items[0]?.id;
  expect(sagaId).toBeDefined();
  const pages = [
    { path: '/', heading: 'Overview' },
    { path: '/alarms', heading: 'Alarms' },
    { path: `/alarms/${DLQ_ALARM}`, heading: DLQ_ALARM },
    { path: `/incident/${DLQ_ALARM}`, heading: 'Incident' },
    { path: '/queues', heading: 'Queues' },
    { path: '/queues/processing', heading: 'Queue processing' },
    { path: '/sagas?range=7d', heading: 'Sagas' },
    { path: `/sagas/${sagaId}`, heading: `Saga ${sagaId}` },
    { path: '/replays', heading: 'Replays' },
    { path: '/replays?tab=redrives', heading: 'Replays' },
    { path: '/approvals', heading: 'Approvals' },
    { path: '/audit', heading: 'Audit' },
  ];
  const overflowing: string[] = [];
  for (const p of pages) {
    await page.goto(p.path);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(p.heading);
    await expect(page.getByRole('status', { name: /^Loading/ })).toHaveCount(0, { timeout: 15_000 });
    const widths = await page.evaluate(() => ({
      scroll: document.scrollingElement!.scrollWidth,
      inner: window.innerWidth,
    }));
    if (widths.scroll > widths.inner) {
      // What sticks out, to name it in the failure.
      const culprits = await page.evaluate(() =>
        Array.from(document.querySelectorAll('main *'))
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
          .filter((el) => !el.closest('.overflow-x-auto, .overflow-auto, .overflow-hidden, .sr-only'))
          .slice(0, 5)
          .map((el) => `${el.tagName.toLowerCase()}.${String(el.className)}`.slice(0, 120)),
      );
      overflowing.push(`${p.path}: ${widths.scroll} > ${widths.inner} (${culprits.join(' | ')})`);
    }
    expect(await axe(), `axe on ${p.path} at 390 px`).toEqual([]);
  }
  expect(overflowing, 'pages that scroll sideways at 390 px').toEqual([]);
});

test('at 390 px the navigation is a menu that opens and closes from the keyboard', async ({ page }) => {
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  const menu = nav.getByRole('button', { name: 'Menu' });
  const link = (name: string) => nav.getByRole('link', { name, exact: true });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(link('Sagas')).toBeHidden();

  await menu.focus();
  await page.keyboard.press('Enter');
  const close = nav.getByRole('button', { name: 'Close menu' });
  await expect(close).toHaveAttribute('aria-expanded', 'true');
  await expect(link('Sagas')).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(link('Overview')).toBeFocused();

  await page.keyboard.press('Escape');
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(menu).toBeFocused();
  await expect(link('Sagas')).toBeHidden();

  // Following a link closes the menu on the new page.
  await page.keyboard.press('Enter');
  await link('Sagas').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sagas');
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(link('Sagas')).toBeHidden();
});

test('the first Tab reaches the skip link, which moves focus to the main content', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Overview');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();
});

test('a viewer is told the console is read-only for them, by name', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('read-only-notice')).toContainText('Read-only.');
  await expect(page.getByTestId('signed-in-as')).toContainText('Vera Viewer');
  await expect(page.getByTestId('signed-in-as')).not.toContainText('u-viewer');
});

test.describe('as an operator', () => {
  test.use(as('operator'));

  test('an operator sees no read-only notice', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Overview');
    await expect(page.getByTestId('read-only-notice')).toHaveCount(0);
  });
});
