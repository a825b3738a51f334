import { apiPost } from './auth';
import { alarmOf, MUTATES } from './env';
import { as, expect, test } from './fixtures';
import { AlarmActionsPage } from './pages/alarm-actions-page';
import { OverviewPage } from './pages/overview-page';
import { QueuePage } from './pages/queue-page';
import { SagaActionsPage } from './pages/saga-actions-page';

const DLQ_ALARM = alarmOf('processing-dlq-depth');
const actionButtons = /^(Replay last 24 h|Redrive DLQ|Start redrive|Preview ledger effect|Compensate|Resume|Approve)$/;

interface SagaPage {
  items: { id: string }[];
}

test.use(as('viewer'));

test(
  'a viewer sees no action on the console’s pages and gets 403 from every write endpoint',
  { tag: MUTATES },
  async ({ page }) => {
    test.setTimeout(90_000);
    const overview = new OverviewPage(page);
    const actions = new AlarmActionsPage(page);
    const saga = new SagaActionsPage(page);
    const sagas = (await (await page.request.get('/api/platform/sagas?range=7d&limit=1')).json()) as SagaPage;
    const sagaId = sagas.items[0]!.id;

    await overview.open();
    await expect(overview.dlqTiles()).toBeVisible();
    await expect(page.getByRole('button', { name: actionButtons })).toHaveCount(0);

    await actions.openAlarm(DLQ_ALARM);
    await expect(page.getByTestId('alarm-reason')).toBeVisible();
    await expect(page.getByRole('button', { name: actionButtons })).toHaveCount(0);
    await expect(actions.redriveForm()).toHaveCount(0);

    await new QueuePage(page).open('processing');
    await expect(page.getByRole('button', { name: actionButtons })).toHaveCount(0);
    await expect(page.getByRole('checkbox', { name: /for redrive$/ })).toHaveCount(0);

    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/platform/replays') && r.ok()),
      page.goto('/replays'),
    ]);
    await expect(page.getByRole('button', { name: actionButtons })).toHaveCount(0);

    await saga.open(sagaId);
    await expect(saga.form()).toHaveCount(0);
    await expect(page.getByRole('button', { name: actionButtons })).toHaveCount(0);

    const archive = ((await (await page.request.get('/api/platform/archives')).json()) as { name: string }[])[0]!.name;
    const end = new Date(Date.now() - 3_600_000).toISOString();
    const start = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const calls: [string, unknown][] = [
      ['/api/ops/redrives', { queueId: 'processing', reason: 'viewer tries' }],
      ['/api/ops/replays/preview', { archive, window: { start, end } }],
      ['/api/ops/replays', { archive, window: { start, end }, reason: 'viewer tries' }],
      [`/api/ops/sagas/${encodeURIComponent(sagaId)}/compensation/preview`, { mode: 'compensate' }],
      [
        `/api/ops/sagas/${encodeURIComponent(sagaId)}/compensation`,
        { mode: 'compensate', reason: 'viewer tries', ticket: 'INC-1' },
      ],
      ['/api/ops/redrives/any/cancel', { reason: 'viewer tries' }],
      ['/api/ops/replays/any/cancel', { reason: 'viewer tries' }],
      ['/api/approvals/any/decision', { decision: 'approve' }],
    ];
    for (const [path, body] of calls) {
      const response = await apiPost(page, path, body);
      expect(response.status(), `POST ${path} as viewer`).toBe(403);
      expect(response.headers()['x-content-type-options'], `POST ${path}: nosniff`).toBe('nosniff');
      expect(response.headers()['cache-control'], `POST ${path}: no-store`).toBe('no-store');
    }
    // Reads stay open to the viewer, with the API's headers (set by route(), not the page proxy).
    const read = await page.request.get('/api/platform/queues');
    expect(read.status()).toBe(200);
    expect(read.headers()['x-content-type-options']).toBe('nosniff');
    expect(read.headers()['cache-control']).toBe('no-store');
    expect(read.headers()['content-security-policy']).toBeUndefined();
  },
);
