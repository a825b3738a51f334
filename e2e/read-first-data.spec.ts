import { alarmOf } from './env';
import { as, expect, test } from './fixtures';
import { OverviewPage } from './pages/overview-page';
import { QueuePage } from './pages/queue-page';

const DLQ_ALARM = alarmOf('processing-dlq-depth');

test.use(as('viewer'));

test('a page loaded from its address arrives with its first data: it shows it with every browser read of the platform refused', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const sagas = await page.request.get('/api/platform/sagas?range=24h&limit=1');
  const newest = ((await sagas.json()) as { items: { id: string; transactionId: string }[] }).items[0];
  expect(newest).toBeDefined();
  const sagaId = newest!.id;
  // The lists render on the server (their table's code is a lazy leaf, in its own chunk): the
  // document has them.
  const sagasOfTransaction = `/sagas?transactionId=${encodeURIComponent(newest!.transactionId)}`;
  const sagasDocument = await (await page.request.get(sagasOfTransaction)).text();
  // As markup, a link in the table (the document's inline data has the id too, as JSON).
  expect(sagasDocument).toContain(`>${newest!.transactionId}</a>`);
  // What the server put in the page is all the browser has: its own reads of the platform fail.
  const refused: string[] = [];
  await page.route(/\/api\/(platform|approvals)(\/|\?|$)/, async (route) => {
    refused.push(new URL(route.request().url()).pathname);
    await route.abort();
  });
  const loading = page.getByRole('status', { name: /^Loading/ });
  // A server render the browser's first render disagrees with (React error 418) is thrown away
  // and rendered again: the page would show the data, at twice the cost. None may happen.
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));

  await page.goto('/');
  await expect(new OverviewPage(page).dlqTiles()).toBeVisible();
  await expect(loading).toHaveCount(0);

  await page.goto('/alarms');
  await expect(page.getByRole('link', { name: DLQ_ALARM, exact: true })).toBeVisible();
  await expect(loading).toHaveCount(0);

  await page.goto(`/alarms/${DLQ_ALARM}`);
  await expect(page.getByTestId('alarm-reason')).not.toBeEmpty();

  await page.goto(`/incident/${DLQ_ALARM}`);
  await expect(page.getByRole('region', { name: 'Diagnosis' })).toBeVisible();
  await expect(loading).toHaveCount(0);

  await page.goto('/queues');
  await expect(page.getByRole('link', { name: 'processing', exact: true })).toBeVisible();

  const queue = new QueuePage(page);
  await page.goto('/queues/processing');
  await expect(queue.stats('processing')).toBeVisible();
  // The dead-letter browser (a lazy leaf, in its own chunk) renders on the server from the same cache.
  await expect(page.getByRole('search', { name: 'Dead letters' })).toBeVisible();
  await expect(loading).toHaveCount(0);

  await page.goto(sagasOfTransaction);
  await expect(
    page.getByRole('table', { name: 'Sagas' }).getByRole('link', { name: newest!.transactionId }),
  ).toBeVisible();
  await expect(loading).toHaveCount(0);

  await page.goto(`/sagas/${encodeURIComponent(sagaId)}`);
  await expect(page.getByRole('navigation', { name: 'Related records' })).toBeVisible();
  await expect(loading).toHaveCount(0);

  expect(pageErrors).toEqual([]);
  // Nothing above needed the browser's reads. Those the views made (a poll, or a refetch of data
  // older than the cache's 2 s on a slow machine) were refused; the data they showed stays.
  test.info().annotations.push({ type: 'browser reads refused', description: String(refused.length) });
});
