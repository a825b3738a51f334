import { test, type Page } from '@playwright/test';

/** The maker-checker list. Locators + actions. */
export class ApprovalsPage {
  constructor(readonly page: Page) {}

  readonly item = (id: string) => this.page.getByRole('listitem', { name: `Approval ${id}` });
  readonly approveButton = (id: string) => this.item(id).getByRole('button', { name: 'Approve' });

  async open() {
    await test.step('open approvals', async () => {
      await this.page.goto('/approvals');
    });
  }

  async approve(id: string) {
    return test.step(`approve request ${id}`, async () => {
      const [response] = await Promise.all([
        this.page.waitForResponse((r) => r.url().includes('/decision') && r.request().method() === 'POST'),
        this.approveButton(id).click(),
      ]);
      return response;
    });
  }
}
