import { MUTATES } from './env';
import { as, expect, test } from './fixtures';
import { AlarmActionsPage } from './pages/alarm-actions-page';
import { AuditPage } from './pages/audit-page';
import { OverviewPage } from './pages/overview-page';

interface PreviewBody {
  preview: {
    count: number;
    sample: { transactionId: string | null }[];
    classification: { alreadyApplied: number; willDeadLetterAgain: number; sampled: string | null };
  };
  refusal: string | null;
}
interface SagaPage {
  items: { id: string; transactionId: string }[];
}
interface Reconciliation {
  reconciliation: { balanced: boolean; totalBalance: number; expectedTotal: number };
}

test.use(as('operator'));

test(
  'replay last 24 h from the overview: preview, progress, completed, and nothing applied twice',
  { tag: MUTATES },
  async ({ page, axe, driver }) => {
    test.setTimeout(120_000);
    const overview = new OverviewPage(page);
    const actions = new AlarmActionsPage(page);
    const reason = `e2e replay ${Date.now().toString(36)}: re-deliver events the outage dropped`;

    // A poison event in the window: the preview must say it will dead-letter again.
    await driver.injectPoison(`tx-e2e-replay-poison-${Date.now().toString(36)}`);
    await overview.open();
    const previewResponse = await actions.openReplayPreview(); // one click from the overview
    expect(previewResponse.status()).toBe(200);
    const preview = (await previewResponse.json()) as PreviewBody;
    expect(preview.refusal).toBeNull();
    expect(preview.preview.count).toBeGreaterThan(0);
    await expect(actions.replayPreview()).toContainText(
      `${preview.preview.count.toLocaleString('en-US')} matching events`,
    );
    // The whole window classified (issue 19), with the poison events that will dead-letter again.
    const c = preview.preview.classification;
    expect(c.willDeadLetterAgain).toBeGreaterThanOrEqual(1);
    await expect(actions.replayPreview()).toContainText(`${c.alreadyApplied.toLocaleString('en-US')} already applied`);
    await expect(actions.replayPreview()).toContainText(
      `${c.willDeadLetterAgain.toLocaleString('en-US')} will dead-letter again`,
    );
    await expect(actions.startReplayButton()).toBeVisible();
    expect(await axe(), 'axe on the overview with the replay form and preview open').toEqual([]);

    const sampled = [
      ...new Set(preview.preview.sample.map((e) => e.transactionId).filter((t): t is string => !!t)),
    ].slice(0, 5);
    expect(sampled.length).toBeGreaterThan(0);

    const started = await actions.startReplay(reason);
    expect(started.status()).toBe(200);
    await expect(actions.replayProgress()).toBeVisible();
    await expect(actions.replayStatus()).toContainText('Replay COMPLETED', { timeout: 60_000 });

    // Nothing applied twice: each sampled transaction still has exactly one saga, and the ledger balances.
    for (const tx of sampled) {
      const r = await page.request.get(`/api/platform/sagas?transactionId=${encodeURIComponent(tx)}&range=7d`);
      expect(r.ok()).toBe(true);
      const { items } = (await r.json()) as SagaPage;
      expect(items, `sagas of replayed transaction ${tx}`).toHaveLength(1);
    }
    const sagas = (await (await page.request.get('/api/platform/sagas?range=7d&limit=1')).json()) as SagaPage;
    const ledger = (await (
      await page.request.get(`/api/ops/sagas/${encodeURIComponent(sagas.items[0]!.id)}/compensation`)
    ).json()) as Reconciliation;
    expect(ledger.reconciliation.balanced).toBe(true);
    expect(ledger.reconciliation.totalBalance).toBe(ledger.reconciliation.expectedTotal);

    const audit = new AuditPage(page);
    await audit.open({ q: reason });
    await expect(audit.rows('replay.start')).toContainText(reason);
  },
);
