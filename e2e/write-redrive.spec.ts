import { countClicks } from './click-counter';
import { alarmOf, MUTATES } from './env';
import { as, expect, test } from './fixtures';
import { AlarmActionsPage } from './pages/alarm-actions-page';
import { AuditPage } from './pages/audit-page';
import { OverviewPage } from './pages/overview-page';
import { QueuePage } from './pages/queue-page';

const DLQ_ALARM = alarmOf('processing-dlq-depth');

type DeadLetters = { items: { lastError: string | null }[] };

test.use(as('operator'));

test(
  'as operator, a firing DLQ alarm → a started redrive in ≤ 3 clicks; the redrive drains the DLQ and the alarm returns to OK',
  { tag: MUTATES },
  async ({ page, axe, driver }) => {
    // The DLQ alarm evaluates 1 period of 60 s (the max depth of the minute): OK comes back at the
    // first evaluation of the minute after the DLQ drained, so up to ~150 s after the redrive.
    test.setTimeout(300_000);
    const overview = new OverviewPage(page);
    const actions = new AlarmActionsPage(page);
    const run = Date.now().toString(36);
    const reason = `e2e redrive ${run}: processor outage over`;
    const deadLetters = async (search = '') => {
      const r = await page.request.get(
        `/api/platform/queues/processing/dead-letters${search ? `?search=${search}` : ''}`,
      );
      return ((await r.json()) as DeadLetters).items;
    };

    // Every trusted click in the page (across client-side navigations) is counted here.
    const clicks = await countClicks(page);

    // Only recoverable messages in the DLQ: the seeded and earlier specs' poison messages go first.
    await driver.purgeDeadLetters('processing');
    const txs = [`tx-e2e-redrive-${run}-a`, `tx-e2e-redrive-${run}-b`];
    await driver.processorOutage();
    try {
      for (const tx of txs) await driver.injectTransaction(tx);
      await overview.open();
      await expect(overview.firingAlarm(DLQ_ALARM)).toBeVisible({ timeout: 60_000 });
      // Both valid transactions are dead-lettered by the outage (3 receives) before the redrive starts.
      await expect
        .poll(
          async () => {
            const errors: (string | null)[] = [];
            for (const tx of txs) errors.push(...(await deadLetters(tx)).map((m) => m.lastError));
            return errors.filter((e) => e?.startsWith('ProcessorOutage: ')).length;
          },
          { timeout: 45_000 },
        )
        .toBe(2);
    } finally {
      await driver.clearFaults();
    }

    clicks.reset();
    await test.step('click 1: the firing alarm on the overview', async () => {
      await Promise.all([
        page.waitForResponse((r) => r.url().includes(`/api/platform/alarms/${DLQ_ALARM}`) && r.ok()),
        overview.firingAlarm(DLQ_ALARM).click(),
      ]);
    });
    // Diagnosis first: the alarm's description leads; its primary action opens the redrive form.
    await test.step('click 2: Redrive DLQ', async () => {
      await actions.redriveButton().click();
    });
    await expect(actions.startRedriveButton()).toBeVisible();
    expect(await axe(), 'axe on the alarm page with the redrive form open').toEqual([]);
    const response = await actions.startRedrive(reason); // click 3 (typing the reason is not a click)
    expect(response.status()).toBe(200);
    const outcome = (await response.json()) as { status: string; result: { id: string; total: number } };
    expect(outcome.status).toBe('started');
    test.info().annotations.push({ type: 'clicks from alarm to started redrive', description: String(clicks.count()) });
    console.log(`[write-redrive] clicks from the firing alarm to a started redrive: ${clicks.count()}`);
    expect(clicks.count()).toBeLessThanOrEqual(3);

    const total = outcome.result.total;
    expect(total).toBeGreaterThanOrEqual(2);
    await expect(actions.redriveStatus()).toHaveText(`Redrive COMPLETED: ${total} of ${total} moved`, {
      timeout: 30_000,
    });
    await expect(actions.redriveProgress()).toHaveAttribute('aria-valuenow', String(total));
    const redrivenAt = Date.now();
    // The task moved every message the DLQ held when it started...
    const task = await page.request.get(`/api/platform/redrives/${outcome.result.id}`);
    expect(((await task.json()) as { moved: number }).moved).toBe(total);
    // ...the outage is over, so none comes back: the DLQ drains and each transaction is applied once.
    await expect.poll(async () => (await deadLetters()).length, { timeout: 30_000 }).toBe(0);
    for (const tx of txs) {
      await expect
        .poll(
          async () =>
            ((await (await page.request.get(`/api/platform/sagas/${tx}`)).json()) as { status?: string }).status,
          {
            timeout: 30_000,
          },
        )
        .toBe('SUCCEEDED');
    }

    await expect
      .poll(
        async () =>
          ((await (await page.request.get(`/api/platform/alarms/${DLQ_ALARM}`)).json()) as { alarm: { state: string } })
            .alarm.state,
        { timeout: 150_000, intervals: [2_000] },
      )
      .toBe('OK');
    const seconds = Math.round((Date.now() - redrivenAt) / 1000);
    test.info().annotations.push({ type: 'DLQ alarm OK after the redrive (s)', description: String(seconds) });
    console.log(`[write-redrive] the DLQ alarm returned to OK ${seconds} s after the redrive completed`);
    await overview.open();
    await expect(overview.firingAlarm(DLQ_ALARM)).toHaveCount(0, { timeout: 30_000 });
    await expect(overview.dlqDepth('processing')).toHaveText('0');

    const audit = new AuditPage(page);
    await audit.open({ q: reason });
    await expect(audit.rows('redrive.start')).toContainText(reason);
    await expect(audit.rows('redrive.start')).toContainText('started');
  },
);

test(
  'the queue page redrives only the dead letters selected in the browser',
  { tag: MUTATES },
  async ({ page, driver }) => {
    test.setTimeout(90_000);
    const actions = new AlarmActionsPage(page);
    const run = Date.now().toString(36);
    const tx = `tx-e2e-select-${run}`;
    await driver.injectPoison(tx);
    await expect
      .poll(
        async () => {
          const r = await page.request.get(`/api/platform/queues/processing/dead-letters?search=${tx}`);
          return ((await r.json()) as { items: unknown[] }).items.length;
        },
        { timeout: 45_000 },
      )
      .toBe(1);
    await new QueuePage(page).open('processing', `?search=${tx}`);
    await page.getByRole('checkbox', { name: /^Select \S+ for redrive$/ }).check();
    await actions.redriveButton().click();
    await expect(actions.redriveForm()).toContainText('Move 1 selected message');
    const response = await actions.startRedrive(`e2e selected redrive ${run}`);
    expect(response.status()).toBe(200);
    const body = (await response.json()) as { result: { total: number } };
    expect(body.result.total).toBe(1);
    await expect(actions.redriveStatus()).toHaveText('Redrive COMPLETED: 1 of 1 moved', { timeout: 30_000 });
  },
);
