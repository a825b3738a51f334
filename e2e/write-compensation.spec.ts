import type { Page } from '@playwright/test';
import { apiPost } from './auth';
import { MUTATES } from './env';
import { as, expect, test } from './fixtures';
import { ApprovalsPage } from './pages/approvals-page';
import { AuditPage } from './pages/audit-page';
import { SagaActionsPage } from './pages/saga-actions-page';

interface SagaPage {
  items: { id: string; status: string }[];
}

/** Each step's and compensation's attempt count, as the platform reports the saga now. */
async function attemptsOf(page: Page, id: string): Promise<Map<string, number>> {
  const saga = (await (await page.request.get(`/api/platform/sagas/${encodeURIComponent(id)}`)).json()) as {
    steps: { name: string; kind: string; attempts: number }[];
  };
  return new Map(saga.steps.map((s) => [`${s.kind}:${s.name}`, s.attempts]));
}

test.use(as('operator'));

test(
  'a compensation requested by an operator and approved by an approver leaves the ledger balanced; the requester cannot approve',
  { tag: MUTATES },
  async ({ page, contextAs, axe }) => {
    test.setTimeout(120_000);
    const run = Date.now().toString(36);
    const reason = `e2e compensation ${run}: customer disputed the transfer`;
    const ticket = `INC-${parseInt(run.slice(-6), 36) % 1_000_000}`;

    // A saga a compensation can act on: a FAILED one (its compensation stopped) or else a SUCCEEDED one (refund).
    const failed = (await (
      await page.request.get('/api/platform/sagas?status=FAILED&range=7d&limit=50')
    ).json()) as SagaPage;
    const succeeded = (await (
      await page.request.get('/api/platform/sagas?status=SUCCEEDED&range=7d&limit=50')
    ).json()) as SagaPage;
    const saga = failed.items[0] ?? succeeded.items[0];
    expect(saga, 'a FAILED or SUCCEEDED saga in the seeded history').toBeDefined();

    const operatorName = ((await (await page.request.get('/api/auth/session')).json()) as { caller: { name: string } })
      .caller.name;
    const attemptsBefore = await attemptsOf(page, saga!.id);

    const actions = new SagaActionsPage(page);
    await actions.open(saga!.id);
    if (saga!.status === 'SUCCEEDED') {
      // Compensating a SUCCEEDED saga reverses a completed payment: only behind that explicit confirmation.
      await expect(actions.previewButton()).toBeDisabled();
      await actions
        .form()
        .getByRole('checkbox', { name: /Reverse a completed payment/ })
        .check();
    }
    await actions.preview(); // "Compensate" opens the preview itself
    await expect(actions.form().getByRole('group', { name: 'Compensation preview' })).toBeFocused();
    await expect(actions.ledgerEffect()).toBeVisible();
    await expect(actions.requestButton()).toBeVisible();
    expect(await axe(), 'axe on the saga page with the compensation form and preview open').toEqual([]);
    const requested = await actions.request(reason, ticket);
    expect(requested.status()).toBe(202);
    const { approvalId } = (await requested.json()) as { approvalId: string };
    await expect(actions.pendingApproval()).toContainText(approvalId);

    // The requester cannot approve their own request: no button, and the API refuses.
    const approvals = new ApprovalsPage(page);
    await approvals.open();
    await expect(approvals.item(approvalId)).toContainText('You requested this: another person must decide.');
    await expect(approvals.approveButton(approvalId)).toHaveCount(0);
    expect(await axe(), 'axe on /approvals').toEqual([]);
    const self = await apiPost(page, `/api/approvals/${approvalId}/decision`, { decision: 'approve' });
    expect(self.status()).toBe(403);

    // A second person, in another browser context, approves with the same preview in front of them.
    const approverContext = await contextAs('approver');
    try {
      const approverPage = await approverContext.newPage();
      const approverView = new ApprovalsPage(approverPage);
      await approverView.open();
      await expect(approverView.item(approvalId)).toContainText(reason);
      await expect(approverView.item(approvalId)).toContainText(ticket);
      const decided = await approverView.approve(approvalId);
      expect(decided.status()).toBe(200);
      // The list is server-rendered and refreshed after the decision: the item itself now records
      // the outcome and who decided (the form's transient "Decision recorded" line goes with it).
      await expect(approverView.item(approvalId)).toContainText('EXECUTED');
      await expect(approverView.item(approvalId)).toContainText('Decided by Ada Approver');
    } finally {
      await approverContext.close();
    }

    // Reconciliation on the saga page: the compensation ran and the ledger balances.
    await actions.open(saga!.id);
    await expect(actions.reconciliation()).toContainText('Saga COMPENSATED', { timeout: 45_000 });
    await expect(actions.reconciliation()).toContainText('Ledger balanced');
    // Both people of maker-checker on the saga page, and no Compensate on a COMPENSATED saga.
    const intervention = page.getByRole('region', { name: 'Manual interventions' }).getByRole('listitem').last();
    await expect(intervention).toContainText(`Compensation requested by ${operatorName}`);
    await expect(intervention).toContainText('Approved by Ada Approver');
    await expect(actions.previewButton()).toHaveCount(0);
    // Every attempt: no step counts fewer attempts than before the compensation (a retried
    // compensation adds to its earlier attempts), and each step lists all of its attempts.
    const attemptsAfter = await attemptsOf(page, saga!.id);
    for (const [step, before] of attemptsBefore) expect(attemptsAfter.get(step), step).toBeGreaterThanOrEqual(before);
    for (const [step, n] of attemptsAfter) {
      if (n > 1)
        await expect(
          page
            .getByRole('list', { name: `Attempts of ${step.split(':')[1]}` })
            .first()
            .getByRole('listitem'),
        ).toHaveCount(n);
    }

    const audit = new AuditPage(page);
    await audit.open({ q: reason });
    await expect(audit.rows('saga.compensate').filter({ hasText: 'requested' })).toContainText(reason);
    // Started when approved; its end state is a saga.compensate.completed row (closed loop).
    await expect(audit.rows('saga.compensate').filter({ hasText: 'started' })).toContainText(reason);
    await expect(audit.rows('approval.approve')).toContainText('Ada Approver');
  },
);
