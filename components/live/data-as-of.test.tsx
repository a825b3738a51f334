import type { ReactElement } from 'react';
import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { overviewKeys } from '@/components/overview/data/keys';
import { OverviewView } from '@/components/overview/overview-view';
import { queueKeys } from '@/components/queues/data/keys';
import { QueueDetailView } from '@/components/queues/queue-detail-view';
import { sagaKeys } from '@/components/sagas/data/keys';
import { SagaDetailView } from '@/components/sagas/saga-detail-view';
import { sagaFixture } from '@/components/sagas/saga-fixture';
import { SagasView } from '@/components/sagas/sagas-view';
import { renderStatic } from '@/components/testing/render-static';
import { resolveRange, type Overview, type RangeInput } from '@/server/ops/read/read.schema';
// eslint-disable-next-line import/no-restricted-paths -- a test, not client code: it marks data exactly as the AWS adapter's read cache does
import { withFreshness } from '@/server/platform/aws/read-cache';
import { dataAsOf } from '@/server/platform/freshness.schema';
import { freshnessSchema, type QueuePair, type SagaSummary } from '@/server/platform/platform.schema';

const cachedAt = Date.parse('2026-12-06T22:00:05.000Z');
const asOfText = 'Data as of 22:00:05 UTC';
const stats = (name: string) => ({ name, visible: 3, inFlight: 0, oldestAgeSeconds: 90 });
const pair: QueuePair = {
  id: 'processing',
  region: 'us-east-1',
  source: stats('processing'),
  dlq: stats('processing-dlq'),
  maxReceiveCount: 3,
};
const range: RangeInput = { range: '1h' };

/** The overview as the ops layer builds it from the port's lists (as the AWS adapter marks them). */
function overview(queues: QueuePair[]): Overview {
  return {
    generatedAt: '2026-12-06T22:01:00.000Z',
    range: resolveRange(range, Date.parse('2026-12-06T22:01:00.000Z')),
    regions: [
      {
        region: { id: 'us-east-1', primary: true, healthy: true },
        firingAlarms: [],
        alarmCounts: { ALARM: 0, OK: 4, INSUFFICIENT_DATA: 0 },
        queues,
      },
    ],
    sagaOutcomes: { succeeded: 1, compensated: 0, failed: 0, running: 0, runningCapped: false },
    throughput: [],
    activeReplays: [],
    activeRedrives: [],
  };
}

function render(node: ReactElement, fill: (client: QueryClient) => void): string {
  const client = new QueryClient();
  fill(client);
  return renderStatic(node, { client, pathname: '/', searchParams: new URLSearchParams() });
}

describe('data answered from the read cache says how old it is', () => {
  it('finds the oldest freshness mark anywhere in a read result, at any depth', () => {
    const older = withFreshness([pair], cachedAt - 30_000);
    const at = new Date(cachedAt).toISOString();
    const shapes: [unknown, string | null][] = [
      [overview([pair]), null],
      [overview(withFreshness([pair, pair], cachedAt)), at],
      [withFreshness({ items: [], nextCursor: null }, cachedAt), at],
      [withFreshness(sagaFixture('RUNNING'), cachedAt), at],
      [[overview(withFreshness([pair], cachedAt)), overview(older)], new Date(cachedAt - 30_000).toISOString()],
      [{ freshness: { stale: true, asOf: 'yesterday' } }, null],
      [{ freshness: { stale: false, asOf: at } }, null],
      [null, null],
      ['text', null],
    ];
    for (const [s, expected] of shapes) expect(dataAsOf(s)).toBe(expected);
    // The adapter's mark is what the zod schema of the port says it is.
    expect(freshnessSchema.safeParse((withFreshness({}, cachedAt) as { freshness?: unknown }).freshness).success).toBe(
      true,
    );
    expect(dataAsOf(overview(withFreshness([pair], cachedAt)))).toBe('2026-12-06T22:00:05.000Z');
    expect(dataAsOf(overview([pair]), older)).toBe('2026-12-06T21:59:35.000Z');
    expect(dataAsOf(overview([pair]), undefined)).toBeNull();
  });

  it('on the overview: a queue list served from cache shows "data as of", fresh data does not', () => {
    const view = <OverviewView range={range} />;
    const stale = render(view, (c) =>
      c.setQueryData(overviewKeys.range(range), overview(withFreshness([pair], cachedAt))),
    );
    expect(stale).toContain(asOfText);
    const fresh = render(view, (c) => c.setQueryData(overviewKeys.range(range), overview([pair])));
    expect(fresh).not.toContain('data-as-of');
  });

  it('on a queue’s page', () => {
    const view = <QueueDetailView id="processing" range="1h" />;
    expect(render(view, (c) => c.setQueryData(queueKeys.list(), withFreshness([pair], cachedAt)))).toContain(asOfText);
    expect(render(view, (c) => c.setQueryData(queueKeys.list(), [pair]))).not.toContain('data-as-of');
  });

  it('on a saga’s page', () => {
    const view = <SagaDetailView id="saga-1" />;
    const stale = withFreshness(sagaFixture('RUNNING'), cachedAt);
    expect(render(view, (c) => c.setQueryData(sagaKeys.detail('saga-1'), stale))).toContain(asOfText);
    expect(render(view, (c) => c.setQueryData(sagaKeys.detail('saga-1'), sagaFixture('RUNNING')))).not.toContain(
      'data-as-of',
    );
  });

  it('on the in-flight sagas page when any of its lists was served from cache, not only the first', () => {
    const filters = { range: '24h' } as const;
    const page = (items: SagaSummary[]) => ({ items, nextCursor: null });
    const view = <SagasView filters={filters} inFlight />;
    const html = render(view, (c) => {
      c.setQueryData(sagaKeys.list({ ...filters, status: 'COMPENSATING' }), page([]));
      c.setQueryData(sagaKeys.list({ ...filters, status: 'RUNNING' }), withFreshness(page([]), cachedAt));
    });
    expect(html).toContain(asOfText);
  });
});
