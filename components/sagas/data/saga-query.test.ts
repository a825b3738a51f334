import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queriesAsInTheBrowser } from '@/components/testing/browser-queries';
import type { SagaStatus } from '@/infra/saga/definition';
import type { SagaDetail } from '@/server/platform/platform.schema';
import { compensationWatchUntil, endCompensationWatch, watchCompensation } from './compensation-watch';
import { sagaQueryOptions, type SagaPolling } from './saga-query';

queriesAsInTheBrowser();
afterEach(() => endCompensationWatch('saga-1'));

const saga = (status: SagaStatus): SagaDetail => ({
  id: 'saga-1',
  transactionId: 'tx-1',
  region: 'us-east-1',
  status,
  startedAt: '2026-11-26T02:50:00.000Z',
  endedAt: status === 'FAILED' ? '2026-11-26T02:51:00.000Z' : null,
  failedStep: 'SettlePayment',
  error: 'ReverseLedger failed: downstream timeout',
  amount: 12_500,
  currency: 'EUR',
  steps: [],
});

/** Serves the saga in the state `statusAt(now)` gives; records when it was read. */
function serve(statusAt: (now: number) => SagaStatus) {
  const reads: number[] = [];
  vi.stubGlobal('fetch', () => {
    reads.push(Date.now());
    return Promise.resolve(Response.json(saga(statusAt(Date.now()))));
  });
  return reads;
}

/** Watches the saga page for `ms` with these polling settings; returns the saga status shown last. */
async function watch(polling: SagaPolling, ms: number) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 2_000 } } });
  const observer = new QueryObserver(client, sagaQueryOptions('saga-1', polling));
  const unsubscribe = observer.subscribe(() => undefined);
  await vi.advanceTimersByTimeAsync(ms);
  const shown = observer.getCurrentResult().data?.status;
  unsubscribe();
  client.clear();
  return shown;
}

describe('the saga page of the operator who requested a compensation', () => {
  it('shows the compensation a second person approved (FAILED -> COMPENSATING) without a reload', async () => {
    // Default policy: every compensation waits for an approval, so the operator's request leaves
    // the saga FAILED; the approver approves from /approvals 20 s later and the saga compensates.
    const approvedAt = Date.now() + 20_000;
    serve((now) => (now < approvedAt ? 'FAILED' : 'COMPENSATING'));
    watchCompensation('saga-1', Date.now() + 60 * 60_000); // the request's expiry
    const shown = await watch({ live: true, watchUntil: compensationWatchUntil('saga-1') }, 5 * 60_000);
    expect(shown).toBe('COMPENSATING');
  });

  it('stops polling the FAILED saga once the request is no longer watched (it expired or was rejected)', async () => {
    const reads = serve(() => 'FAILED');
    const until = Date.now() + 60_000;
    await watch({ live: true, watchUntil: until }, 5 * 60_000);
    expect(reads.length).toBeGreaterThan(1); // it did poll while the request was pending
    expect(reads.filter((t) => t > until + 15_000)).toEqual([]); // …and stopped right after
  });
});

describe('the saga page of a saga nobody acts on', () => {
  it('reads a FAILED saga once and does not poll it', async () => {
    const reads = serve(() => 'FAILED');
    await watch({ live: true }, 5 * 60_000);
    expect(reads).toHaveLength(1);
  });

  it('polls a running saga until it ends, then stops', async () => {
    const endsAt = Date.now() + 20_000;
    const reads = serve((now) => (now < endsAt ? 'RUNNING' : 'SUCCEEDED'));
    const shown = await watch({ live: true }, 2 * 60_000);
    expect(shown).toBe('SUCCEEDED');
    expect(reads.filter((t) => t > endsAt + 5_000)).toEqual([]);
  });

  it('does not poll while live updates are paused, even a watched or running saga', async () => {
    const reads = serve(() => 'RUNNING');
    await watch({ live: false, watchUntil: Date.now() + 60 * 60_000 }, 5 * 60_000);
    expect(reads).toHaveLength(1);
  });
});

describe('the compensation watch', () => {
  it('replaces a deadline with the newer one and forgets it when the watch ends', () => {
    watchCompensation('saga-1', 1_000);
    watchCompensation('saga-1', 500); // executed: watch briefly from now on, not until the old expiry
    expect(compensationWatchUntil('saga-1')).toBe(500);
    endCompensationWatch('saga-1');
    expect(compensationWatchUntil('saga-1')).toBe(0);
  });
});
