'use client';

import type { ReactNode } from 'react';
import { LiveStatus } from '@/components/live/live-status';
import { useUrlState } from '@/components/live/use-url-state';
import { InlineError } from '@/components/ui/inline-error';
import { lazyLeaf } from '@/components/ui/lazy-leaf';
import { Section } from '@/components/ui/section';
import { Skeleton } from '@/components/ui/skeleton';
import { dataAsOf } from '@/server/platform/freshness.schema';
import type { DeadLetterMessage } from '@/server/platform/platform.schema';
import { useQueuesQuery } from './data/queues-query';
import { ChartRangeSwitch, QueueCharts } from './queue-charts';
import { QueueStats } from './queue-stats';

const DeadLetterBrowser = lazyLeaf(() => import('./dead-letter-browser').then((m) => m.DeadLetterBrowser));
const FailureClassesSection = lazyLeaf(() => import('./failure-classes-section').then((m) => m.FailureClassesSection));

export interface QueueDetailViewProps {
  id: string;
  range: '1h' | '24h';
  search?: string;
  cursor?: string;
  /** Slot for the write side's queue actions (redrive the DLQ). Read side renders none. */
  actions?: ReactNode;
  /** Slot for per-message controls in the dead-letter browser. */
  messageActions?: (message: DeadLetterMessage) => ReactNode;
}

/** One queue pair: depths, charts and the dead-letter browser. */
export function QueueDetailView({ id, range, search, cursor, actions, messageActions }: QueueDetailViewProps) {
  const query = useQueuesQuery();
  const { set } = useUrlState();
  const pair = query.data?.find((q) => q.id === id);
  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <ChartRangeSwitch range={range} onChange={(r) => set({ range: r }, 'replace')} />
        <div className="flex items-center gap-3">
          {actions}
          <LiveStatus updatedAt={query.dataUpdatedAt} fetching={query.isFetching} dataAsOf={dataAsOf(query.data)} />
        </div>
      </div>
      {query.isError ? <InlineError error={query.error} what="the queue" onRetry={() => void query.refetch()} /> : null}
      {query.isPending ? <Skeleton rows={3} label="Loading the queue" /> : null}
      {query.data && !pair ? <InlineError error={new Error(`No queue pair named ${id}`)} what={`queue ${id}`} /> : null}
      {pair ? (
        <div className="mb-4 rounded border border-border bg-surface-raised p-4">
          <QueueStats pair={pair} />
        </div>
      ) : null}
      <Section title="Depth and age">
        <QueueCharts id={id} range={range} />
      </Section>
      <Section title="Failure classes">
        <FailureClassesSection queueId={id} />
      </Section>
      <Section title="Dead letters">
        <DeadLetterBrowser
          key={search ?? ''}
          queueId={id}
          search={search}
          cursor={cursor}
          messageActions={messageActions}
        />
      </Section>
    </div>
  );
}
