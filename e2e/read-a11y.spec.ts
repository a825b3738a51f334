import { alarmOf } from './env';
import { as, expect, test } from './fixtures';

const DLQ_ALARM = alarmOf('processing-dlq-depth');

test.use(as('viewer'));

test('every read page has no serious or critical accessibility violation, in light and dark themes', async ({
  page,
  axe,
}) => {
  // 15 page loads with axe: generous, a loaded machine is slow (this is not a speed check).
  test.setTimeout(300_000);
  const sagaOf = async (status: string) => {
    const r = await page.request.get(`/api/platform/sagas?status=${status}&range=7d&limit=1`);
    return ((await r.json()) as { items: { id: string }[] }).items[0]?.id;
  };
  const sagaId = await sagaOf('COMPENSATED');
  const failedId = await sagaOf('FAILED');
  expect(sagaId).toBeDefined();
  const pages = [
    { path: '/', heading: 'Overview' },
    { path: '/alarms?state=ALARM', heading: 'Alarms' },
    { path: `/alarms/${DLQ_ALARM}`, heading: DLQ_ALARM },
    { path: `/incident/${DLQ_ALARM}`, heading: 'Incident' },
    { path: '/queues', heading: 'Queues' },
    { path: '/queues/processing', heading: 'Queue processing' },
    { path: '/sagas?range=7d', heading: 'Sagas' },
    { path: `/sagas/${sagaId}`, heading: `Saga ${sagaId}` },
    ...(failedId ? [{ path: `/sagas/${failedId}`, heading: `Saga ${failedId}` }] : []),
    { path: '/replays', heading: 'Replays' },
    { path: '/replays?tab=redrives', heading: 'Replays' },
  ];
  for (const theme of ['light', 'dark'] as const) {
    await page.addInitScript((t) => localStorage.setItem('ledgerline-theme', t), theme);
    for (const p of theme === 'light'
      ? pages
      : pages.filter((x) =>
          ['/', '/queues/processing', `/sagas/${sagaId}`, `/incident/${DLQ_ALARM}`].includes(x.path),
        )) {
      await page.goto(p.path);
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(p.heading);
      await expect(page.getByRole('status', { name: /^Loading/ })).toHaveCount(0, { timeout: 15_000 });
      await expect(page.getByText(/^Could not load/)).toHaveCount(0);
      expect(await axe(), `axe on ${p.path} (${theme})`).toEqual([]);
    }
  }
});
