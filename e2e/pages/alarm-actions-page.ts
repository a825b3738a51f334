import { expect, test, type Page } from '@playwright/test';

/** The write side's redrive and replay forms where they are mounted (alarm, queue, incident, overview). Locators + actions. */
export class AlarmActionsPage {
  constructor(readonly page: Page) {}

  readonly redriveForm = (queueId = 'processing') => this.page.getByRole('region', { name: `Redrive ${queueId} DLQ` });
  readonly redriveButton = () => this.page.getByRole('button', { name: /^Redrive (DLQ|\d+ selected)$/ });
  readonly startRedriveButton = () => this.page.getByRole('button', { name: 'Start redrive' });
  readonly redriveStatus = (queueId = 'processing') => this.redriveForm(queueId).getByRole('status');
  readonly redriveProgress = () => this.page.getByRole('progressbar', { name: 'Redrive progress' });
  readonly reason = (form = this.redriveForm()) => form.getByRole('textbox', { name: 'Reason' });
  readonly ticket = (form = this.redriveForm()) => form.getByRole('textbox', { name: /^Ticket/ });

  readonly replayButton = () => this.page.getByRole('button', { name: 'Replay last 24 h' });
  readonly replayForm = () => this.page.getByRole('region', { name: /^Replay / });
  readonly replayPreview = () => this.page.getByRole('region', { name: 'Replay preview' });
  readonly startReplayButton = () => this.page.getByRole('button', { name: /^Start replay of/ });
  readonly replayStatus = () => this.replayForm().getByRole('status');
  readonly replayProgress = () => this.page.getByRole('progressbar', { name: 'Replay progress' });

  async openAlarm(name: string) {
    await test.step(`open alarm ${name}`, async () => {
      // Loaded from its address, the page arrives with the alarm (no browser fetch to wait for).
      await this.page.goto(`/alarms/${encodeURIComponent(name)}`);
      await expect(this.page.getByTestId('alarm-reason')).toBeVisible();
    });
  }

  /** Fills the open redrive form and clicks "Start redrive"; resolves with the API's answer. */
  async startRedrive(reason: string, ticket?: string) {
    return test.step('start the redrive', async () => {
      const form = this.redriveForm();
      await this.reason(form).fill(reason);
      if (ticket) await this.ticket(form).fill(ticket);
      const [response] = await Promise.all([
        this.page.waitForResponse(
          (r) => new URL(r.url()).pathname === '/api/ops/redrives' && r.request().method() === 'POST',
        ),
        this.startRedriveButton().click(),
      ]);
      return response;
    });
  }

  /** Clicks "Replay last 24 h", which opens the form and previews; resolves with the preview's answer. */
  async openReplayPreview() {
    return test.step('replay last 24 h: open and preview', async () => {
      const [response] = await Promise.all([
        this.page.waitForResponse(
          (r) => r.url().endsWith('/api/ops/replays/preview') && r.request().method() === 'POST',
        ),
        this.replayButton().click(),
      ]);
      return response;
    });
  }

  async startReplay(reason: string) {
    return test.step('start the replay', async () => {
      await this.reason(this.replayForm()).fill(reason);
      const [response] = await Promise.all([
        this.page.waitForResponse(
          (r) => new URL(r.url()).pathname === '/api/ops/replays' && r.request().method() === 'POST',
        ),
        this.startReplayButton().click(),
      ]);
      return response;
    });
  }
}
