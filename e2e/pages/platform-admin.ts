import { request as playwrightRequest, test, type APIRequestContext } from '@playwright/test';
import { baseURL, LOCAL_PASSWORD, users } from '../auth';

/** The admin's own signed-in API context (cookies apart from the page's), per worker. */
interface AdminSession {
  request: APIRequestContext;
  csrfToken: string;
}
let adminSession: Promise<AdminSession> | undefined;

/**
 * Signs admin@ledgerline.local in once per worker, in a request context of its own so the
 * page's session (the role a spec signed in as) is left alone.
 */
async function openAdminSession(): Promise<AdminSession> {
  const origin = new URL(baseURL).origin;
  const request = await playwrightRequest.newContext({ baseURL });
  const response = await request.post('/api/auth/sign-in', {
    headers: { origin, 'content-type': 'application/json' },
    data: { email: users.admin, password: LOCAL_PASSWORD },
  });
  if (!response.ok()) throw new Error(`admin sign-in failed: HTTP ${response.status()} ${await response.text()}`);
  const csrf = (await request.storageState()).cookies.find((c) => c.name === 'll_csrf')?.value ?? '';
  return { request, csrfToken: decodeURIComponent(csrf) };
}

/**
 * The embedded platform's local-only admin API (app/api/admin/**): fault injection and raw
 * events, so specs create failures on purpose. Sent as admin@ledgerline.local with the
 * session's CSRF token and the console's Origin (the API needs an admin session and audits
 * every change). Actions only; specs assert.
 */
export class PlatformAdmin {
  /** `request` is the page's context; the admin calls use their own signed-in context. */
  constructor(readonly request: APIRequestContext) {}

  private async post(path: string, data: unknown) {
    adminSession ??= openAdminSession().catch((error: unknown) => {
      adminSession = undefined;
      throw error;
    });
    const admin = await adminSession;
    // maxRetries: Playwright retries only ECONNRESET, which a reused keep-alive socket meets when
    // the server closes it as the request leaves (seen in CI after a spec idled ~5 s before its
    // first admin call); the request never reached the handler, so sending it again is safe.
    const response = await admin.request.post(path, {
      headers: { origin: new URL(baseURL).origin, 'x-csrf-token': admin.csrfToken },
      data: data as Record<string, unknown>,
      maxRetries: 2,
    });
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
