import { expect, test, type Page } from '@playwright/test';

/** The saga list (filters in the URL) and one saga's timeline. Locators only. */
export class SagasPage {
  constructor(readonly page: Page) {}

  readonly statusFilter = () => this.page.getByRole('combobox', { name: 'Status' });
  readonly transactionFilter = () => this.page.getByRole('searchbox', { name: 'Transaction id' });
  readonly rangeButton = (label: string) =>
    this.page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: label, exact: true });
  readonly table = () => this.page.getByRole('table', { name: 'Sagas' });
  readonly rows = () => this.table().locator('tbody tr');
  /** The saga's steps (not the attempts listed inside each). */
  readonly steps = () => this.page.getByRole('list', { name: 'Steps' }).locator(':scope > li');
  /** The compensation steps (not the attempts listed inside each). */
  readonly compensations = () => this.page.getByRole('list', { name: 'Compensations' }).locator(':scope > li');
  readonly compensationPath = () => this.page.getByTestId('compensation-path');

  private sagasResponse() {
    return this.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/platform/sagas' && r.ok());
  }

  async open(query = '') {
    await test.step(`open sagas ${query}`, async () => {
      await Promise.all([this.sagasResponse(), this.page.goto(`/sagas${query}`)]);
    });
  }

  async openSaga(id: string) {
    await test.step(`open saga ${id}`, async () => {
      // Loaded from its address, the page arrives with the saga (no browser fetch to wait for).
      await this.page.goto(`/sagas/${encodeURIComponent(id)}`);
      await expect(this.page.getByRole('navigation', { name: 'Related records' })).toBeVisible();
    });
  }

  async filterStatus(status: string) {
    await test.step(`filter status ${status}`, async () => {
      await Promise.all([this.sagasResponse(), this.statusFilter().selectOption(status)]);
    });
  }

  async chooseRange(label: string) {
    await test.step(`choose range ${label}`, async () => {
      await Promise.all([this.sagasResponse(), this.rangeButton(label).click()]);
    });
  }
}
