import { test, type Page } from '@playwright/test';

/** The local sign-in page. Locators and steps only; specs assert. */
export class SignInPage {
  constructor(readonly page: Page) {}

  readonly heading = () => this.page.getByRole('heading', { name: 'Sign in to Ledgerline' });
  readonly email = () => this.page.getByLabel('Email');
  readonly password = () => this.page.getByLabel('Password');
  readonly submit = () => this.page.getByRole('button', { name: 'Sign in' });
  readonly error = () => this.page.getByRole('alert').filter({ hasText: /\S/ });

  async open(next?: string) {
    await test.step('open sign-in', async () => {
      await this.page.goto(next ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in');
    });
  }

  async signIn(email: string, password: string) {
    await test.step(`sign in as ${email}`, async () => {
      await this.email().fill(email);
      await this.password().fill(password);
      await Promise.all([
        this.page.waitForResponse((r) => r.url().includes('/api/auth/sign-in')),
        this.submit().click(),
      ]);
    });
  }
}
