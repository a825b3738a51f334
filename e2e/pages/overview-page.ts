import { test, type Page } from '@playwright/test';

/** The overview: per-region firing alarms and DLQ tiles, saga outcomes, live status. Locators only. */
export class OverviewPage {
  constructor(readonly page: Page) {}

  readonly firingAlarms = (region = 'us-east-1') => this.page.getByRole('list', { name: `Firing alarms in ${region}` });
  readonly firingAlarm = (name: string, region = 'us-east-1') =>
    this.firingAlarms(region).getByRole('link', { name, exact: true });
  readonly dlqTiles = (region = 'us-east-1') =>
    this.page.getByRole('list', { name: `Dead-letter queues in ${region}` });
  readonly dlqDepth = (queueId: string) => this.page.getByTestId(`dlq-depth-${queueId}`);
  readonly sagaOutcomes = () => this.page.getByRole('list', { name: 'Saga outcomes' });
  readonly updatedAgo = () => this.page.getByTestId('updated-ago');
  readonly pauseToggle = () => this.page.getByRole('button', { name: /(Pause|Resume) live updates/ });
  readonly rangeButton = (label: string) =>
    this.page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: label, exact: true });

  async open(query = '') {
    await test.step(`open the overview${query ? ` ${query}` : ''}`, async () => {
      await Promise.all([
        this.page.waitForResponse((r) => r.url().includes('/api/platform/overview') && r.ok()),
        this.page.goto(`/${query}`),
      ]);
    });
  }

  async chooseRange(label: string) {
    await test.step(`choose range ${label}`, async () => {
      await Promise.all([
        this.page.waitForResponse((r) => r.url().includes('/api/platform/overview') && r.ok()),
        this.rangeButton(label).click(),
      ]);
    });
  }
}
