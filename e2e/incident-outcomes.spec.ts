import { apiPost } from './auth';
import { alarmOf, MUTATES } from './env';
import { as, expect, test } from './fixtures';
import { AuditPage } from './pages/audit-page';

const DLQ_ALARM = alarmOf('processing-dlq-depth');
const STATUSES = ['FAILED', 'COMPENSATING', 'COMPENSATED'] as const;

interface IncidentBody {
  window: { from: string; to: string };
  counts: Record<(typeof STATUSES)[number], number> & { capped: boolean };
}
interface SagaPage {
  items: unknown[];
  nextCursor: string | null;
}

test.use(as('operator'));

test("the incident view's saga counts are the sagas list's over the same window", async ({ page }) => {
  test.setTimeout(120_000);
  const listed = async (status: string, window: IncidentBody['window']) => {
    let n = 0;
    let cursor: string | null = null;
    do {
      const q = new URLSearchParams({ status, range: 'custom', from: window.from, to: window.to, limit: '200' });
      if (cursor) q.set('cursor', cursor);
      const body = (await (await page.request.get(`/api/platform/sagas?${q.toString()}`)).json()) as SagaPage;
      n += body.items.length;
      cursor = body.nextCursor;
    } while (cursor);
    return n;
  };
  await page.goto(`/incident/${encodeURIComponent(DLQ_ALARM)}`);
  const counts = page.getByTestId('incident-counts');
  await expect(counts).toBeVisible({ timeout: 30_000 });
  // Sagas change state while traffic runs: compare one incident answer with the list for its window,
  // again until a moment when no saga of the window moved between the two reads.
  await expect
    .poll(
      async () => {
        const r = await page.request.get(`/api/platform/incident/${encodeURIComponent(DLQ_ALARM)}`);
        const incident = (await r.json()) as IncidentBody;
        const mismatches: string[] = [];
        for (const status of STATUSES) {
          const n = await listed(status, incident.window);
          if (n !== incident.counts[status])
            mismatches.push(`${status}: incident ${incident.counts[status]}, list ${n}`);
        }
        return mismatches;
      },
      { timeout: 60_000, intervals: [1_000] },
    )
    .toEqual([]);
  // The page shows the same kind of figure, each linking to the sagas list of exactly that window.
  for (const status of STATUSES) {
    const link = counts.getByRole('link', { name: new RegExp(status.toLowerCase()) });
    await expect(link).toHaveAttribute('href', new RegExp(`status=${status}&range=custom&from=`));
  }
});

test(
  'a mixed redrive (transient and poison) shows "N applied, M back in the DLQ" on its row and in the audit',
  { tag: MUTATES },
  async ({ page, driver }) => {
    // Alarms evaluate complete minutes only: allow ~150 s for transitions; the outcome itself
    // settles once every moved message was processed (a poison one after 3 receives).
    test.setTimeout(240_000);
    const run = Date.now().toString(36);
    const reason = `e2e mixed redrive ${run}`;
    const valid = [`tx-e2e-mixed-${run}-a`, `tx-e2e-mixed-${run}-b`];
    const poison = `tx-e2e-mixed-${run}-p`;
    // The traffic generator keeps running: the outage dead-letters its transactions too, so this
    // spec finds its own three through the failure index and redrives exactly those.
    const entries = async (tx: string) =>
      (await (
        await page.request.get(
          `/api/platform/queues/processing/dead-letters/by-transaction?transactionId=${encodeURIComponent(tx)}`,
        )
      ).json()) as { messageId: string }[];
    const ours = async () => (await Promise.all([...valid, poison].map(entries))).flat();

    await driver.processorOutage();
    try {
      for (const tx of valid) await driver.injectTransaction(tx);
      await driver.injectPoison(poison);
      await expect.poll(async () => (await ours()).length, { timeout: 90_000, intervals: [2_000] }).toBe(3);
    } finally {
      await driver.clearFaults();
    }

    const response = await apiPost(
      page,
      '/api/ops/redrives',
      { queueId: 'processing', reason, messageIds: (await ours()).map((e) => e.messageId) },
      { 'idempotency-key': `e2e-mixed-${run}` },
    );
    expect(response.status()).toBe(200);
    const { result } = (await response.json()) as { result: { id: string } };

    await page.goto('/replays');
    await page.getByRole('tab', { name: 'Redrives' }).click();
    // Newest first: the first such row is this redrive's.
    const row = page.getByRole('row').filter({ hasText: '2 applied, 1 back in the DLQ' }).first();
    await expect(row).toBeVisible({ timeout: 90_000 });
    await expect(row).not.toContainText('settling', { timeout: 30_000 });
    expect((await Promise.all(valid.map(entries))).flat()).toEqual([]);
    expect(await entries(poison)).toHaveLength(1);

    const audit = new AuditPage(page);
    await expect
      .poll(
        async () => {
          await audit.open({ q: `redrive:${result.id}` });
          return audit.rows('redrive.completed').count();
        },
        { timeout: 60_000, intervals: [5_000] },
      )
      .toBe(1);
    await expect(audit.rows('redrive.completed')).toContainText('2 applied, 1 back in the DLQ');
  },
);
