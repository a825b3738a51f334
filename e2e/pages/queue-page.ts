import { test, type Page } from '@playwright/test';

/** A queue pair's page with its dead-letter browser. Locators only. */
export class QueuePage {
  constructor(readonly page: Page) {}

  readonly searchBox = () => this.page.getByRole('searchbox', { name: 'Search by transaction id or error text' });
  readonly deadLetters = () => this.page.getByRole('list', { name: 'Dead letters' });
  readonly deadLetter = (text: string) => this.deadLetters().getByRole('article').filter({ hasText: text });
  readonly stats = (id: string) => this.page.getByRole('table', { name: `Queue pair ${id}` });

  async open(id: string, query = '') {
    await test.step(`open queue ${id}${query}`, async () => {
      await Promise.all([
        this.page.waitForResponse((r) => r.url().includes(`/api/platform/queues/${id}/dead-letters`)),
        this.page.goto(`/queues/${id}${query}`),
      ]);
    });
  }

  async search(text: string) {
    await test.step(`search dead letters for ${text}`, async () => {
      await this.searchBox().fill(text);
      await Promise.all([
        this.page.waitForResponse(
          (r) => r.url().includes('/dead-letters') && r.url().includes(`search=${encodeURIComponent(text)}`),
        ),
        this.searchBox().press('Enter'),
      ]);
    });
  }

  async showDetails(message: string) {
    await test.step('show the dead letter’s body and attributes', async () => {
      await this.deadLetter(message).getByText('Body, attributes and source').click();
    });
  }
}
