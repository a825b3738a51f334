import { apiPost, signInAs } from './auth';
import { expect, test } from './fixtures';
import { ApprovalsPage } from './pages/approvals-page';
import { AuditPage } from './pages/audit-page';
import { SagaActionsPage } from './pages/saga-actions-page';

interface SagaPage {
  items: { id: string; status: string }[];
}

test('a compensation requested by an operator and approved by an approver leaves the ledger balanced; the requester cannot approve', async ({
  page,
  browser,
  axe,
}) => {
  test.setTimeout(120_000);
  await signInAs(page, 'operator');
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

  const actions = new SagaActionsPage(page);
  await actions.open(saga!.id);
  await actions.preview();
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
  const approverContext = await browser.newContext();
  try {
    const approverPage = await approverContext.newPage();
    await signInAs(approverPage, 'approver');
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

  const audit = new AuditPage(page);
  await audit.open({ q: reason });
  await expect(audit.rows('saga.compensate').filter({ hasText: 'requested' })).toContainText(reason);
  await expect(audit.rows('saga.compensate').filter({ hasText: 'succeeded' })).toContainText(reason);
  await expect(audit.rows('approval.approve')).toContainText('Ada Approver');
});
