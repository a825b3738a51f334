import { test, type Page } from '@playwright/test';

/** The audit log (server-rendered, filter in the URL). Locators + actions. */
export class AuditPage {
  constructor(readonly page: Page) {}

  readonly table = () => this.page.getByRole('table');
  readonly rows = (text: string) => this.table().getByRole('row').filter({ hasText: text });

  async open(filter: Record<string, string> = {}) {
    await test.step(`open audit ${JSON.stringify(filter)}`, async () => {
      await this.page.goto(`/audit?${new URLSearchParams(filter).toString()}`);
    });
  }
}
