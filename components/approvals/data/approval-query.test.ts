import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import { queriesAsInTheBrowser } from '@/components/testing/browser-queries';
import type { Approval } from '@/server/approvals/approval.schema';
import { approvalFixture } from './approval-fixture';
import { approvalQueryOptions, executedResult, failureReason } from './approval-query';

queriesAsInTheBrowser();

/**
 * Serves GET /api/approvals/[id] from the requests `itemsAt(now)` (404 with the server's error body
 * for an id not among them); records each request's URL and time.
 */
function serve(itemsAt: (now: number) => Approval[]) {
  const reads: { url: string; at: number }[] = [];
  vi.stubGlobal('fetch', (url: string) => {
    reads.push({ url, at: Date.now() });
    const id = decodeURIComponent(new URL(url, 'http://console').pathname.replace('/api/approvals/', ''));
    const found = itemsAt(Date.now()).find((a) => a.id === id);
    return Promise.resolve(
      found
        ? Response.json(found)
        : Response.json({ error: { code: 'NotFound', message: `approval ${id} not found` } }, { status: 404 }),
    );
  });
  return reads;
}

async function follow(id: string, live: boolean, ms: number) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 2_000 } } });
  const observer = new QueryObserver(client, approvalQueryOptions(id, { live }));
  const unsubscribe = observer.subscribe(() => undefined);
  await vi.advanceTimersByTimeAsync(ms);
  const shown = observer.getCurrentResult().data;
  unsubscribe();
  client.clear();
  return shown;
}

const other = approvalFixture({ id: 'apr-other', target: 'queue:processing' });

describe('following an approval request from the panel that filed it', () => {
  it('polls the request until a second person decides it, then stops', async () => {
    const decidedAt = Date.now() + 20_000;
    const reads = serve((now) => [
      other,
      approvalFixture(now < decidedAt ? {} : { status: 'REJECTED', decidedByName: 'Ada Approver' }),
    ]);
    const shown = await follow('apr-1', true, 5 * 60_000);
    expect(shown?.status).toBe('REJECTED');
    expect(reads.length).toBeGreaterThan(1);
    expect(reads.filter((r) => r.at > decidedAt + 10_000)).toEqual([]);
    expect(new URL(reads[0]!.url, 'http://console').pathname).toBe('/api/approvals/apr-1');
  });

  it('keeps polling while the approved action is still running (APPROVED), until it is executed', async () => {
    const executedAt = Date.now() + 30_000;
    serve((now) => [approvalFixture({ status: now < executedAt ? 'APPROVED' : 'EXECUTED' })]);
    expect((await follow('apr-1', true, 2 * 60_000))?.status).toBe('EXECUTED');
  });

  it('stops, with nothing to show, when the console does not know the request (404)', async () => {
    const reads = serve(() => [other]);
    expect(await follow('apr-1', true, 2 * 60_000)).toBeNull();
    expect(reads).toHaveLength(1);
  });

  it('does not poll while live updates are paused', async () => {
    const reads = serve(() => [approvalFixture()]);
    await follow('apr-1', false, 2 * 60_000);
    expect(reads).toHaveLength(1);
  });
});

describe('an approval request’s recorded outcome', () => {
  it('gives the started task of an executed request', () => {
    const task = { id: 'task-1', status: 'RUNNING', moved: 0, total: 1_500 };
    const a = approvalFixture({ status: 'EXECUTED', result: JSON.stringify(task) });
    expect(executedResult(a)).toEqual(task);
    expect(executedResult(approvalFixture({ status: 'FAILED', result: '{"error":"x"}' }))).toBeNull();
  });

  it('gives the server’s reason for a failed request, or the raw result when it is not the usual shape', () => {
    const reason = 'queueId: the processing DLQ now holds 1,026 messages but 1,001 were approved';
    expect(
      failureReason(approvalFixture({ status: 'FAILED', result: JSON.stringify({ error: reason, code: 'Conflict' }) })),
    ).toBe(reason);
    expect(failureReason(approvalFixture({ status: 'FAILED', result: 'not json' }))).toBe('not json');
  });
});
