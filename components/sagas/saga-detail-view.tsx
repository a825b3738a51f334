'use client';

import type { ReactNode } from 'react';
import { LiveStatus } from '@/components/live/live-status';
import { AppLink } from '@/components/ui/app-link';
import { formatAmount, formatDuration, formatTime } from '@/components/ui/format';
import { InlineError } from '@/components/ui/inline-error';
import { lazyLeaf } from '@/components/ui/lazy-leaf';
import { Section } from '@/components/ui/section';
import { Skeleton } from '@/components/ui/skeleton';
import { StateBadge } from '@/components/ui/status-badge';
import { queuePairs } from '@/infra/platform/description';
import { useSagaQuery } from './data/saga-query';

const SagaTimeline = lazyLeaf(() => import('./saga-timeline').then((m) => m.SagaTimeline));

export interface SagaDetailViewProps {
  id: string;
  /** Slot for the write side's saga actions (compensate / resume). Read side renders none. */
  actions?: ReactNode;
}

/** One saga: summary, links to its transaction's other records, and the step timeline. */
export function SagaDetailView({ id, actions }: SagaDetailViewProps) {
  const query = useSagaQuery(id);
  const saga = query.data;
  if (query.isPending) return <Skeleton rows={8} label="Loading the saga" />;
  if (!saga) return <InlineError error={query.error} what={`saga ${id}`} onRetry={() => void query.refetch()} />;
  const tx = encodeURIComponent(saga.transactionId);
  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <StateBadge state={saga.status} />
          <span>
            {formatAmount(saga.amount, saga.currency)} · started {formatTime(saga.startedAt)} ·{' '}
            {formatDuration(saga.startedAt, saga.endedAt)}
          </span>
        </div>
        <div className="flex items-center gap-3">
          {actions}
          <LiveStatus updatedAt={query.dataUpdatedAt} fetching={query.isFetching} />
        </div>
      </div>
      {query.isError ? (
        <InlineError error={query.error} what="the latest saga state" onRetry={() => void query.refetch()} />
      ) : null}
      {saga.failedStep ? (
        <p role="note" className="mb-4 rounded border border-danger/60 bg-danger/10 p-3 text-sm">
          <strong>{saga.failedStep}</strong> failed: {saga.error ?? 'no error recorded'}
        </p>
      ) : null}
      <nav aria-label="Related records" className="mb-6 flex flex-wrap gap-4 text-sm">
        <AppLink href={`/sagas?transactionId=${tx}&range=7d`} className="text-accent underline">
          All sagas of transaction {saga.transactionId}
        </AppLink>
        {queuePairs.map((q) => (
          <AppLink key={q.id} href={`/queues/${q.id}?search=${tx}`} className="text-accent underline">
            Its {q.id} dead letters
          </AppLink>
        ))}
      </nav>
      <Section title="Timeline">
        <SagaTimeline steps={saga.steps} />
      </Section>
    </div>
  );
}
