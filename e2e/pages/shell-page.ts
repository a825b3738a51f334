import { test, type Page } from '@playwright/test';

/** The console shell: navigation, environment banner, identity, theme. Locators only. */
export class ShellPage {
  constructor(readonly page: Page) {}

  readonly nav = () => this.page.getByRole('navigation', { name: 'Main' });
  readonly navLink = (label: string) => this.nav().getByRole('link', { name: label, exact: true });
  readonly environment = () => this.page.getByRole('status', { name: /^Environment / });
  readonly heading = () => this.page.getByRole('heading', { level: 1 });
  readonly themeToggle = () => this.page.getByRole('button', { name: /Switch to (dark|light) theme/ });
  readonly signedInAs = () => this.page.getByTestId('signed-in-as');

  async open(path = '/') {
    await test.step(`open ${path}`, async () => {
      await this.page.goto(path);
    });
  }

  async navigateTo(label: string) {
    await test.step(`navigate to ${label}`, async () => {
      await this.navLink(label).click();
    });
  }
}
