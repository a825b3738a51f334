'use client';

import { LiveStatus } from '@/components/live/live-status';
import { useUrlState } from '@/components/live/use-url-state';
import { AppLink } from '@/components/ui/app-link';
import { EmptyState } from '@/components/ui/empty-state';
import { InlineError } from '@/components/ui/inline-error';
import { Skeleton } from '@/components/ui/skeleton';
import { dataAsOf } from '@/server/platform/freshness.schema';
import { useQueuesQuery } from './data/queues-query';
import { ChartRangeSwitch, QueueCharts } from './queue-charts';
import { QueueStats } from './queue-stats';

/** Every source queue with its DLQ, their depths and charts. */
export function QueuesView({ range }: { range: '1h' | '24h' }) {
  const query = useQueuesQuery();
  const { set } = useUrlState();
  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <ChartRangeSwitch range={range} onChange={(r) => set({ range: r })} />
        <LiveStatus updatedAt={query.dataUpdatedAt} fetching={query.isFetching} dataAsOf={dataAsOf(query.data)} />
      </div>
      {query.isError ? <InlineError error={query.error} what="queues" onRetry={() => void query.refetch()} /> : null}
      {query.isPending ? <Skeleton rows={6} label="Loading queues" /> : null}
      {query.data && query.data.length === 0 ? (
        <EmptyState title="No queue pairs">The platform description defines none.</EmptyState>
      ) : null}
      <ul className="space-y-6">
        {query.data?.map((pair) => (
          <li key={pair.id} className="rounded border border-border bg-surface-raised p-4">
            <h2 className="mb-2 text-lg font-semibold">
              <AppLink href={`/queues/${encodeURIComponent(pair.id)}?range=${range}`} className="text-accent underline">
                {pair.id}
              </AppLink>{' '}
              <span className="text-xs font-normal text-fg-muted">
                {pair.region} · max receive count {pair.maxReceiveCount}
              </span>
            </h2>
            <div className="mb-3">
              <QueueStats pair={pair} />
            </div>
            <QueueCharts id={pair.id} range={range} />
          </li>
        ))}
      </ul>
    </div>
  );
}
