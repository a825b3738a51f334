/**
 * The embedded platform's local-only admin API (app/api/admin/**), as the admin's stored
 * session with its CSRF token and the console's Origin (the API needs an admin session and
 * audits every change). Actions only; specs assert.
 */
import { test } from '@playwright/test';
import type { StepName } from '../../infra/saga/definition';
import { consoleOrigin } from '../env';
import { MutationRefused, recordRequest } from '../gate/request-guard';
import { sagaStatusReader, type ConsoleSession } from './console-session';
import { AMOUNTS, settleSagas, transactionDetail, type PlatformDriver } from './platform-driver';

export class LocalAdminDriver implements PlatformDriver {
  readonly kind = 'local' as const;
  private readonly injected = new Set<string>();

  constructor(
    private readonly session: ConsoleSession,
    private readonly testTitle: string,
  ) {}

  private async post(path: string, data: unknown) {
    if (recordRequest('POST', new URL(path, consoleOrigin).href, this.testTitle, 'driver'))
      throw new MutationRefused('POST', path);
    // maxRetries: Playwright retries only ECONNRESET, which a reused keep-alive socket meets when
    // the server closes it as the request leaves; the request never reached the handler.
    const response = await this.session.request.post(path, {
      headers: { origin: consoleOrigin, 'x-csrf-token': this.session.csrfToken },
      data: data as Record<string, unknown>,
      maxRetries: 2,
    });
    if (!response.ok()) throw new Error(`${path} failed: HTTP ${response.status()} ${await response.text()}`);
    return response;
  }

  private async submit(transactionId: string, amount: number | string, copies = 1) {
    const time = new Date().toISOString();
    const detail = transactionDetail(transactionId, amount, time);
    this.injected.add(transactionId);
    const events = Array.from({ length: copies }, (_, i) => ({
      version: '0',
      id: `e2e-${transactionId}${copies > 1 ? `-${i}` : ''}`,
      source: 'transaction.processing',
      'detail-type': 'TransactionSubmitted',
      time,
      detail,
    }));
    await this.post('/api/admin/events', { events });
  }

  injectTransaction(transactionId: string) {
    return test.step(`driver: inject transaction ${transactionId}`, () => this.submit(transactionId, AMOUNTS.valid));
  }
  injectPoison(transactionId: string) {
    return test.step(`driver: inject poison message ${transactionId}`, () =>
      this.submit(transactionId, AMOUNTS.poison));
  }
  injectInsufficientFunds(transactionId: string) {
    return test.step(`driver: inject insufficient-funds transaction ${transactionId}`, () =>
      this.submit(transactionId, AMOUNTS.insufficient));
  }
  injectDuplicate(transactionId: string) {
    return test.step(`driver: inject duplicate transaction ${transactionId}`, () =>
      this.submit(transactionId, AMOUNTS.valid, 2));
  }
  async outage(step: StepName | null) {
    await test.step(`driver: downstream outage on ${step ?? 'nothing'}`, async () => {
      await this.post('/api/admin/faults/outage', { step });
    });
  }
  async processorOutage() {
    await test.step('driver: processor outage on', async () => {
      await this.post('/api/admin/faults/processor-outage', {});
    });
  }
  async clearFaults() {
    await test.step('driver: clear every fault', async () => {
      await this.post('/api/admin/faults/clear', {});
    });
  }
  async purgeDeadLetters(queueId: string) {
    await test.step(`driver: purge the ${queueId} DLQ`, async () => {
      await this.post('/api/admin/dead-letters/purge', { queue: queueId });
    });
  }
  async cleanup() {
    await test.step('driver: clean up (faults off, dead letters purged, sagas settled)', async () => {
      await this.clearFaults();
      if (this.injected.size > 0) await this.purgeDeadLetters('processing');
      const moving = await settleSagas(this.injected, sagaStatusReader(this.session));
      await this.session.request.dispose();
      if (moving.length > 0) throw new Error(`sagas still moving after clean-up: ${moving.join(', ')}`);
    });
  }
}
