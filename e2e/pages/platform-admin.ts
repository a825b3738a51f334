import { test, type APIRequestContext } from '@playwright/test';

/**
 * The embedded platform's local-only admin API (app/api/admin/**): fault injection and raw
 * events, so specs create failures on purpose. Actions only; specs assert.
 */
export class PlatformAdmin {
  constructor(readonly request: APIRequestContext) {}

  private async post(path: string, data: unknown) {
    // maxRetries: Playwright retries only ECONNRESET, which a reused keep-alive socket meets when
    // the server closes it as the request leaves (seen in CI after a spec idled ~5 s before its
    // first admin call); the request never reached the handler, so sending it again is safe.
    const response = await this.request.post(path, { data: data as Record<string, unknown>, maxRetries: 2 });
    if (!response.ok()) throw new Error(`${path} failed: HTTP ${response.status()} ${await response.text()}`);
    return response;
  }

  async outage(step: string | null) {
    await test.step(`admin: downstream outage on ${step ?? 'nothing'}`, async () => {
      await this.post('/api/admin/faults/outage', { step });
    });
  }

  /** The processor is down: valid messages fail (ProcessorOutage) and are dead-lettered after 3 receives, until clearFaults(). */
  async processorOutage() {
    await test.step('admin: processor outage on', async () => {
      await this.post('/api/admin/faults/processor-outage', {});
    });
  }

  /** Empties a queue's DLQ (PurgeQueue), so a spec starts from a DLQ holding only its own messages. */
  async purgeDeadLetters(queueId: string) {
    await test.step(`admin: purge the ${queueId} DLQ`, async () => {
      await this.post('/api/admin/dead-letters/purge', { queue: queueId });
    });
  }

  /** POSTs one TransactionSubmitted event from acct-0001 to acct-0002 with this amount. */
  private async submitTransaction(transactionId: string, amount: number | string) {
    const time = new Date().toISOString();
    await this.post('/api/admin/events', {
      events: [
        {
          version: '0',
          id: `e2e-${transactionId}`,
          source: 'transaction.processing',
          'detail-type': 'TransactionSubmitted',
          time,
          detail: {
            transactionId,
            fromAccount: 'acct-0001',
            toAccount: 'acct-0002',
            amount,
            currency: 'USD',
            createdAt: time,
          },
        },
      ],
    });
  }

  /** A valid transfer of 1.00 USD from acct-0001 to acct-0002. */
  async injectTransaction(transactionId: string) {
    await test.step(`admin: inject transaction ${transactionId}`, () => this.submitTransaction(transactionId, 100));
  }

  async clearFaults() {
    await test.step('admin: clear every fault', async () => {
      await this.post('/api/admin/faults/clear', {});
    });
  }

  /** A transaction event whose body the processor can never apply (amount as text): a poison message. */
  async injectPoison(transactionId: string) {
    await test.step(`admin: inject poison message ${transactionId}`, () =>
      this.submitTransaction(transactionId, 'twelve'));
  }
}
