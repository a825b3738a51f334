import { expect, test, type Page } from '@playwright/test';

/** A queue pair's page with its dead-letter browser. Locators only. */
export class QueuePage {
  constructor(readonly page: Page) {}

  readonly searchBox = () => this.page.getByRole('searchbox', { name: 'Search by transaction id or error text' });
  readonly deadLetters = () => this.page.getByRole('list', { name: 'Dead letters' });
  readonly deadLetter = (text: string) => this.deadLetters().getByRole('article').filter({ hasText: text });
  readonly stats = (id: string) => this.page.getByRole('table', { name: `Queue pair ${id}` });

  readonly loadingDeadLetters = () => this.page.getByRole('status', { name: 'Loading dead letters' });

  /** Loads the page from its address (it arrives with its first data) and waits for the dead-letter browser's. */
  async open(id: string, query = '') {
    await test.step(`open queue ${id}${query}`, async () => {
      await this.page.goto(`/queues/${id}${query}`);
      await expect(this.page.getByRole('search', { name: 'Dead letters' })).toBeVisible();
      await expect(this.loadingDeadLetters()).toHaveCount(0);
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
