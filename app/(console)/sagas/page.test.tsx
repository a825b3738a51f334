import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import { sagaKeys } from '@/components/sagas/data/keys';
import { SagasView } from '@/components/sagas/sagas-view';
import { renderStatic } from '@/components/testing/render-static';
import type { SagasRouteInput } from '@/server/ops/read/read.schema';
import type { Page, SagaSummary } from '@/server/platform/platform.schema';
import { sagasViewProps } from './view-props';

// The real DataTable loads its core lazily (a static render shows its fallback); render the core.
vi.mock('@/components/ui/data-table', async () => {
  const core = await import('@/components/ui/data-table-core');
  return { DataTable: core.DataTableCore };
});

const saga = (id: string, status: SagaSummary['status'], startedAt: string): SagaSummary => ({
  id,
  transactionId: `tx-${id}`,
  region: 'us-east-1',
  status,
  startedAt,
  endedAt: null,
  amount: 100,
  currency: 'USD',
  failedStep: null,
  error: null,
});

/**
 * The page's view for a query string (the props the page derives from it), with the lists already
 * in the cache (as the page's server reads or the browser's fetches put them there).
 */
function render(query: Record<string, string>, cached: [SagasRouteInput, Page<SagaSummary>][]) {
  const client = new QueryClient();
  for (const [filters, page] of cached) client.setQueryData(sagaKeys.list(filters), page);
  return renderStatic(<SagasView {...sagasViewProps(query)} />, { client, searchParams: new URLSearchParams(query) });
}

describe('the sagas page', () => {
  it('lists in-flight sagas as two lists, RUNNING and COMPENSATING, without a time bound', () => {
    const stuck = saga('saga-stuck-25h', 'RUNNING', '2026-11-25T02:00:00.000Z');
    const compensating = saga('saga-comp', 'COMPENSATING', '2026-11-26T02:59:00.000Z');
    const html = render({ status: 'in-flight', range: 'any' }, [
      [
        { status: 'RUNNING', sort: 'startedAt:desc' },
        { items: [stuck], nextCursor: null },
      ],
      [
        { status: 'COMPENSATING', sort: 'startedAt:desc' },
        { items: [compensating], nextCursor: null },
      ],
    ]);
    expect(html).toMatch(/<table[^>]*aria-label="Running sagas"/);
    expect(html).toMatch(/<table[^>]*aria-label="Compensating sagas"/);
    expect(html).toContain('tx-saga-stuck-25h');
    expect(html).toContain('tx-saga-comp');
    expect(html).toMatch(/<option value="in-flight" selected="">In flight \(RUNNING or COMPENSATING\)<\/option>/);
    expect(html).toContain('Any start time');
  });

  it('pages each in-flight list with its own cursor', () => {
    const html = render({ status: 'in-flight', range: 'any', cursor: 'r2', compensatingCursor: 'c2' }, [
      [
        { status: 'RUNNING', sort: 'startedAt:desc', cursor: 'r2' },
        { items: [saga('saga-r2', 'RUNNING', '2026-11-26T01:00:00.000Z')], nextCursor: null },
      ],
      [
        { status: 'COMPENSATING', sort: 'startedAt:desc', cursor: 'c2' },
        { items: [saga('saga-c2', 'COMPENSATING', '2026-11-26T01:00:00.000Z')], nextCursor: null },
      ],
    ]);
    expect(html).toContain('tx-saga-r2');
    expect(html).toContain('tx-saga-c2');
  });

  it('shows the last 24 h of one list when the URL has no range', () => {
    const html = render({ status: 'FAILED' }, [
      [
        { range: '24h', status: 'FAILED', sort: 'startedAt:desc' },
        { items: [saga('saga-f', 'FAILED', '2026-11-26T01:00:00.000Z')], nextCursor: null },
      ],
    ]);
    expect(html).toMatch(/<table[^>]*aria-label="Sagas"/);
    expect(html).toContain('tx-saga-f');
    expect(html).toMatch(/<button[^>]*aria-pressed="true"[^>]*>24 h<\/button>/);
    expect(html).not.toContain('Any start time');
  });

  it('filters by transaction before the page has hydrated too: a GET form that keeps the other filters', () => {
    const form = (html: string) =>
      /<form role="search" aria-label="Sagas by transaction"[^>]* method="get"[^>]*>(.*?)<\/form>/.exec(html)?.[1];
    const failed = form(render({ status: 'FAILED', range: '7d', sort: 'startedAt:asc' }, []));
    expect(failed).toContain('<input type="hidden" name="status" value="FAILED"/>');
    expect(failed).toContain('<input type="hidden" name="range" value="7d"/>');
    expect(failed).toContain('<input type="hidden" name="sort" value="startedAt:asc"/>');
    expect(failed).toMatch(/<input type="search"[^>]* name="transactionId"/);
    const inFlight = form(render({ status: 'in-flight', range: 'any' }, []));
    expect(inFlight).toContain('<input type="hidden" name="status" value="in-flight"/>');
    expect(inFlight).toContain('<input type="hidden" name="range" value="any"/>');
    expect(inFlight).not.toContain('name="sort"');
  });
});
