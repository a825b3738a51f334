import { MUTATES } from './env';
import { as, expect, test } from './fixtures';
import { AlarmActionsPage } from './pages/alarm-actions-page';
import { AuditPage } from './pages/audit-page';

interface RedriveTask {
  id: string;
  status: string;
  moved: number;
  total: number | null;
}

test.use(as('operator'));

test(
  'an operator cancels a running redrive from the replays page, not the panel that started it: it stops short and the cancel is audited',
  { tag: MUTATES },
  async ({ page, driver }) => {
    test.setTimeout(150_000);
    const actions = new AlarmActionsPage(page);
    const run = Date.now().toString(36);
    const reason = `e2e cancel ${run}: wrong queue drained`;
    const txs = Array.from({ length: 15 }, (_, i) => `tx-e2e-cancel-${run}-${i}`);

    // Valid transactions dead-lettered by a processor outage: once it is over, a redrive applies them.
    await driver.purgeDeadLetters('processing');
    await driver.processorOutage();
    try {
      for (const tx of txs) await driver.injectTransaction(tx);
      await expect
        .poll(
          async () => {
            let dead = 0;
            for (const tx of txs) {
              const r = await page.request.get(`/api/platform/queues/processing/dead-letters?search=${tx}`);
              dead += ((await r.json()) as { items: unknown[] }).items.length;
            }
            return dead;
          },
          { timeout: 60_000 },
        )
        .toBe(txs.length);
    } finally {
      await driver.clearFaults();
    }

    // A slow redrive (1 message/s: the 15 messages take ~15 s), started on the queue page.
    await page.goto('/queues/processing');
    await actions.redriveButton().click();
    await actions.redriveForm().getByRole('spinbutton', { name: /^Rate/ }).fill('1');
    const started = await actions.startRedrive(`e2e slow redrive ${run}`);
    expect(started.status()).toBe(200);
    const task = ((await started.json()) as { result: RedriveTask }).result;
    expect(task.total).toBeGreaterThanOrEqual(txs.length);

    // Someone else's view of it: the replays page's redrives tab offers Cancel with the progress so far.
    await page.goto('/replays?tab=redrives');
    await page.getByRole('button', { name: 'Cancel redrive of the processing DLQ' }).click();
    const confirm = page.getByRole('form', { name: 'Confirm: cancel redrive of the processing DLQ' });
    await expect(confirm).toContainText('so far');
    await confirm.getByRole('textbox', { name: 'Reason' }).fill(reason);
    const [cancelled] = await Promise.all([
      page.waitForResponse(
        (r) => new URL(r.url()).pathname === `/api/ops/redrives/${task.id}/cancel` && r.request().method() === 'POST',
      ),
      confirm.getByRole('button', { name: 'Confirm cancel' }).click(),
    ]);
    expect(cancelled.status()).toBe(200);

    // The task stops short of the whole DLQ, and stays stopped.
    const read = async () =>
      ((await (await page.request.get(`/api/ops/redrives/${task.id}`)).json()) as { task: RedriveTask }).task;
    await expect.poll(async () => (await read()).status, { timeout: 30_000 }).toBe('CANCELLED');
    const final = await read();
    expect(final.moved).toBeLessThan(final.total ?? Infinity);
    await page.waitForTimeout(2_000);
    expect((await read()).moved).toBe(final.moved);
    await expect(page.getByRole('button', { name: 'Cancel redrive of the processing DLQ' })).toHaveCount(0);

    const audit = new AuditPage(page);
    await audit.open({ q: reason });
    await expect(audit.rows('redrive.cancel')).toContainText(reason);
  },
);
