import { compensationsFor, type StepName } from '../infra/saga/definition';
import { as, expect, test } from './fixtures';
import { SagasPage } from './pages/sagas-page';

interface SagaRow {
  id: string;
  status: string;
  failedStep: string | null;
}

test.use(as('viewer'));

test('a compensated saga’s timeline shows its compensations in reverse order of its steps', async ({ page }) => {
  const response = await page.request.get('/api/platform/sagas?status=COMPENSATED&range=7d&limit=200');
  expect(response.ok()).toBe(true);
  const { items } = (await response.json()) as { items: SagaRow[] };
  // The seeded history has outages on SettlePayment and Notify: sagas with 2 and 3 compensations.
  const saga = items.find((s) => s.failedStep === 'Notify') ?? items.find((s) => s.failedStep === 'SettlePayment');
  expect(saga, 'a compensated saga that failed late').toBeDefined();
  const expected = compensationsFor(saga!.failedStep as StepName);
  expect(expected.length).toBeGreaterThanOrEqual(2);

  const sagas = new SagasPage(page);
  await sagas.openSaga(saga!.id);
  await expect(sagas.compensations()).toHaveCount(expected.length);
  for (const [i, name] of expected.entries()) {
    await expect(sagas.compensations().nth(i)).toHaveAccessibleName(`Compensation ${name}: SUCCEEDED`);
  }
  await expect(sagas.compensationPath()).toContainText(expected.join(' → '));
  await expect(sagas.steps().filter({ hasText: saga!.failedStep! })).toHaveAccessibleName(
    `Step ${saga!.failedStep}: FAILED`,
  );
  await expect(page.getByRole('link', { name: 'Its processing dead letters' })).toHaveAttribute(
    'href',
    new RegExp(`search=${saga!.id}`),
  );
});

test('a deep link reopens the same filtered saga view', async ({ page, context }) => {
  const sagas = new SagasPage(page);
  await sagas.open();
  await sagas.filterStatus('COMPENSATED');
  await sagas.chooseRange('7 days');
  await expect(page).toHaveURL(/status=COMPENSATED/);
  await expect(page).toHaveURL(/range=7d/);
  const link = page.url();

  const other = await context.newPage();
  const reopened = new SagasPage(other);
  await Promise.all([
    other.waitForResponse(
      (r) => r.url().includes('/api/platform/sagas?') && r.url().includes('status=COMPENSATED') && r.ok(),
    ),
    other.goto(link),
  ]);
  await expect(reopened.statusFilter()).toHaveValue('COMPENSATED');
  await expect(reopened.rangeButton('7 days')).toHaveAttribute('aria-pressed', 'true');
  await expect(reopened.rows().first()).toBeVisible();
  const statuses = await reopened.rows().locator('td:first-child').allTextContents();
  expect(statuses.length).toBeGreaterThan(0);
  expect(new Set(statuses)).toEqual(new Set(['COMPENSATED']));

  // Keyboard: the first row takes focus and Enter opens the saga.
  await reopened.rows().first().focus();
  await other.keyboard.press('ArrowDown');
  await expect(reopened.rows().nth(1)).toBeFocused();
  await other.keyboard.press('Enter');
  await expect(other).toHaveURL(/\/sagas\/[^?]+$/);
});
