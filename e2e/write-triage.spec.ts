import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { countClicks } from './click-counter';
import { alarmOf, MUTATES } from './env';
import { as, expect, test } from './fixtures';
import { AlarmActionsPage } from './pages/alarm-actions-page';
import { ApprovalsPage } from './pages/approvals-page';
import { OverviewPage } from './pages/overview-page';
import { QueuePage } from './pages/queue-page';

const DLQ_ALARM = alarmOf('processing-dlq-depth');

type AuditPage = { items: { approvalId: string | null; outcome: string; result: string | null }[] };

test.use(as('operator'));

test(
  'dead-letter triage: the alarm → a started redrive of the retryable class in ≤ 3 clicks; the poison is quarantined with an approval, its export hash audited; the alarm returns to OK',
  { tag: MUTATES },
  async ({ page, driver, contextAs }) => {
    // Alarms evaluate complete minutes: firing and clearing each take up to ~150 s.
    test.setTimeout(600_000);
    const overview = new OverviewPage(page);
    const actions = new AlarmActionsPage(page);
    const run = Date.now().toString(36);
    const valid = Array.from({ length: 20 }, (_, i) => `tx-e2e-triage-${run}-${i}`);
    const poison = Array.from({ length: 5 }, (_, i) => `tx-e2e-triage-${run}-p${i}`);
    // The traffic generator keeps running: count this spec's own transactions in the failure index.
    const mine = async (txs: string[], errorType: string) => {
      let n = 0;
      for (const tx of txs) {
        const r = await page.request.get(
          `/api/platform/queues/processing/dead-letters/by-transaction?transactionId=${tx}`,
        );
        n += ((await r.json()) as { errorType: string }[]).filter((e) => e.errorType === errorType).length;
      }
      return n;
    };

    const clicks = await countClicks(page);

    await test.step('20 transient failures (processor outage, then recovery) and 5 poison messages', async () => {
      await driver.purgeDeadLetters('processing');
      await driver.processorOutage();
      try {
        for (const tx of valid) await driver.injectTransaction(tx);
        await expect.poll(() => mine(valid, 'ProcessorOutage'), { timeout: 90_000, intervals: [2_000] }).toBe(20);
      } finally {
        await driver.clearFaults();
      }
      for (const tx of poison) await driver.injectPoison(tx);
      await expect.poll(() => mine(poison, 'PoisonMessageError'), { timeout: 90_000, intervals: [2_000] }).toBe(5);
      await overview.open();
      await expect(overview.firingAlarm(DLQ_ALARM)).toBeVisible({ timeout: 150_000 });
    });

    clicks.reset();
    await test.step('click 1: the firing alarm; click 2: Redrive DLQ', async () => {
      await Promise.all([
        page.waitForResponse((r) => r.url().includes(`/api/platform/alarms/${DLQ_ALARM}`) && r.ok()),
        overview.firingAlarm(DLQ_ALARM).click(),
      ]);
      await actions.redriveButton().click();
    });
    await expect(actions.redriveForm().getByTestId('redrive-selection')).toHaveText(
      /^This redrive moves [\d,]+ \(\d+ retryable class(es)?\), leaves [\d,]+ \(\d+ permanent class(es)?\)\.$/,
    );
    const response = await actions.startRedrive(`e2e triage ${run}: outage over`); // click 3
    expect(response.status()).toBe(200);
    const outcome = (await response.json()) as { status: string; result: { total: number; selection: string } };
    expect(outcome).toMatchObject({ status: 'started', result: { selection: 'classes' } });
    const total = outcome.result.total;
    expect(total).toBeGreaterThanOrEqual(20);
    console.log(`[write-triage] clicks from the firing alarm to a started redrive: ${clicks.count()}`);
    expect(clicks.count()).toBeLessThanOrEqual(3);
    await expect(actions.redriveStatus()).toHaveText(`Redrive COMPLETED: ${total} of ${total} moved`, {
      timeout: 60_000,
    });

    await test.step('the 20 are applied once, the 5 stay', async () => {
      for (const tx of valid) {
        await expect
          .poll(
            async () =>
              ((await (await page.request.get(`/api/platform/sagas/${tx}`)).json()) as { status?: string }).status,
            { timeout: 60_000 },
          )
          .toBe('SUCCEEDED');
      }
      await expect.poll(() => mine(valid, 'ProcessorOutage'), { timeout: 30_000 }).toBe(0);
      expect(await mine(poison, 'PoisonMessageError')).toBe(5);
    });

    const queue = new QueuePage(page);
    await queue.open('processing');
    await page.getByRole('button', { name: 'Quarantine permanent dead letters' }).click();
    const panel = page.getByRole('region', { name: 'Quarantine processing dead letters' });
    await expect(panel.getByTestId('quarantine-preview')).toContainText(
      /Exports [\d,]+ dead letters? \(\d+ permanent class(es)?\)/,
    );
    await panel.getByRole('textbox', { name: 'Reason' }).fill(`e2e triage ${run}: poison payloads`);
    await panel.getByRole('textbox', { name: /^Ticket/ }).fill('INC-17');
    const [requested] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/ops/quarantine'),
      panel.getByRole('button', { name: 'Export and quarantine' }).click(),
    ]);
    expect(requested.status()).toBe(202);
    const { approvalId } = (await requested.json()) as { approvalId: string };
    expect(await mine(poison, 'PoisonMessageError')).toBe(5);

    const approverContext = await contextAs('approver');
    const approvals = new ApprovalsPage(await approverContext.newPage());
    await approvals.open();
    expect((await approvals.approve(approvalId)).status()).toBe(200);
    await expect(approvals.item(approvalId)).toContainText('EXECUTED');

    const link = panel.getByRole('link', { name: 'Download the export (JSON)' });
    await expect(link).toBeVisible({ timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = await readFile(await download.path());
    const hash = createHash('sha256').update(file).digest('hex');
    await expect(panel.getByTestId('quarantine-sha256')).toHaveText(hash);
    const exported = JSON.parse(file.toString('utf8')) as { items: { transactionId: string }[] };
    const exportedTxs = new Set(exported.items.map((m) => m.transactionId));
    expect(poison.filter((tx) => exportedTxs.has(tx))).toEqual(poison);
    const audit = (await (await page.request.get('/api/audit?action=queue.quarantine&limit=20')).json()) as AuditPage;
    const row = audit.items.find((e) => e.approvalId === approvalId && e.outcome !== 'requested');
    expect(JSON.parse(row?.result ?? '{}')).toMatchObject({ sha256: hash, exported: exported.items.length });
    expect(await mine(poison, 'PoisonMessageError')).toBe(0);

    await expect
      .poll(
        async () =>
          ((await (await page.request.get(`/api/platform/alarms/${DLQ_ALARM}`)).json()) as { alarm: { state: string } })
            .alarm.state,
        { timeout: 180_000, intervals: [2_000] },
      )
      .toBe('OK');
  },
);
