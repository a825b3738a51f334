import { expect, test, type Page } from '@playwright/test';

/** A saga's compensate / resume form and its reconciliation line. Locators + actions. */
export class SagaActionsPage {
  constructor(readonly page: Page) {}

  readonly form = () => this.page.getByRole('region', { name: 'Compensate saga' });
  readonly previewButton = () => this.form().getByRole('button', { name: 'Preview ledger effect' });
  readonly ledgerEffect = () => this.form().getByRole('table', { name: 'Ledger effect' });
  readonly reason = () => this.form().getByRole('textbox', { name: 'Reason' });
  readonly ticket = () => this.form().getByRole('textbox', { name: /^Ticket/ });
  readonly requestButton = () => this.form().getByRole('button', { name: /^Request (compensate|resume)$/ });
  readonly pendingApproval = () => this.form().getByRole('status').filter({ hasText: 'Waiting for a second person' });
  readonly reconciliation = () => this.page.getByRole('status', { name: 'Reconciliation' });

  async open(id: string) {
    await test.step(`open saga ${id}`, async () => {
      // Loaded from its address, the page arrives with the saga (no browser fetch to wait for).
      await this.page.goto(`/sagas/${encodeURIComponent(id)}`);
      await expect(this.page.getByRole('navigation', { name: 'Related records' })).toBeVisible();
    });
  }

  async preview() {
    await test.step('preview the ledger effect', async () => {
      await Promise.all([
        this.page.waitForResponse((r) => r.url().endsWith('/compensation/preview')),
        this.previewButton().click(),
      ]);
    });
  }

  async request(reason: string, ticket: string) {
    return test.step('request the compensation', async () => {
      await this.reason().fill(reason);
      await this.ticket().fill(ticket);
      const [response] = await Promise.all([
        this.page.waitForResponse((r) => r.url().endsWith('/compensation') && r.request().method() === 'POST'),
        this.requestButton().click(),
      ]);
      return response;
    });
  }
}
