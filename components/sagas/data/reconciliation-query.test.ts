import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import { affectedBy, invalidate } from '@/components/providers/invalidate';
import { queriesAsInTheBrowser } from '@/components/testing/browser-queries';
import type { SagaStatus } from '@/infra/saga/definition';
import { RECONCILIATION_POLL_MS, reconciliationQueryOptions, type ReconciliationPolling } from './reconciliation-query';

queriesAsInTheBrowser();

/** Serves the reconciliation of a saga in the state `statusAt(now)` gives; records each ledger read. */
function serve(statusAt: (now: number) => SagaStatus) {
  const reads: number[] = [];
  vi.stubGlobal('fetch', () => {
    reads.push(Date.now());
    return Promise.resolve(
      Response.json({
        saga: { id: 'saga-1', status: statusAt(Date.now()), steps: [] },
        reconciliation: {
          accounts: 10_000,
          totalBalance: 1,
          expectedTotal: 1,
          balanced: true,
          openHolds: 0,
          heldAmount: 0,
        },
      }),
    );
  });
  return reads;
}

/** The saga page open for `ms` (CompensateAction mounts <Reconciliation> as the page opens). */
async function openPage(polling: ReconciliationPolling, ms: number, during?: (client: QueryClient) => Promise<void>) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 2_000 } } });
  const observer = new QueryObserver(client, reconciliationQueryOptions('saga-1', polling));
  const unsubscribe = observer.subscribe(() => undefined);
  await vi.advanceTimersByTimeAsync(ms / 2);
  await during?.(client);
  await vi.advanceTimersByTimeAsync(ms / 2);
  const shown = observer.getCurrentResult().data?.saga.status;
  unsubscribe();
  client.clear();
  return shown;
}

const live = { live: true, watchUntil: 0 };

describe('the reconciliation shown on every saga page to operators and admins', () => {
  it('does not re-read the whole ledger (a full DynamoDB Scan on AWS) every 3 s while a saga merely runs', async () => {
    const reads = serve(() => 'RUNNING'); // e.g. waiting out a retry; nobody acted on it
    await openPage(live, 60_000);
    // getLedgerSummary on AWS: "fine for the console's occasional check, not for a dashboard
    // polled every second" (server/platform/aws/ledger.ts). One read per page view is enough.
    expect({ ledgerReadsInOneMinute: reads.length }).toEqual({ ledgerReadsInOneMinute: 1 });
  });

  it('reads the ledger again after an operator’s action (its invalidation), without polling', async () => {
    const reads = serve(() => 'FAILED');
    await openPage(live, 60_000, (client) => invalidate(client, affectedBy.compensation));
    expect(reads).toHaveLength(2);
  });

  it('polls at most every 30 s while the saga compensates, and stops when it is compensated', async () => {
    expect(RECONCILIATION_POLL_MS).toBeGreaterThanOrEqual(30_000);
    const doneAt = Date.now() + 100_000;
    const reads = serve((now) => (now < doneAt ? 'COMPENSATING' : 'COMPENSATED'));
    const shown = await openPage(live, 10 * 60_000);
    expect(shown).toBe('COMPENSATED');
    const gaps = reads.slice(1).map((t, i) => t - reads[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(30_000);
    expect(reads.filter((t) => t > doneAt + RECONCILIATION_POLL_MS)).toEqual([]);
  });

  it('polls a resumed (running) saga only while the resume requested in this browser is watched', async () => {
    const until = Date.now() + 2 * 60_000;
    const reads = serve(() => 'RUNNING');
    await openPage({ live: true, watchUntil: until }, 10 * 60_000);
    expect(reads.length).toBeGreaterThan(1);
    expect(reads.filter((t) => t > until + RECONCILIATION_POLL_MS)).toEqual([]);
  });

  it('does not poll while live updates are paused, even while the saga compensates', async () => {
    const reads = serve(() => 'COMPENSATING');
    await openPage({ live: false, watchUntil: Date.now() + 60 * 60_000 }, 5 * 60_000);
    expect(reads).toHaveLength(1);
  });
});
