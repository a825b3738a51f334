'use client';

import type { ReactNode } from 'react';
import { LiveStatus } from '@/components/live/live-status';
import { AppLink } from '@/components/ui/app-link';
import { formatDuration, formatMoney, formatTime } from '@/components/ui/format';
import { InlineError } from '@/components/ui/inline-error';
import { lazyLeaf } from '@/components/ui/lazy-leaf';
import { Section } from '@/components/ui/section';
import { Skeleton } from '@/components/ui/skeleton';
import { StateBadge } from '@/components/ui/status-badge';
import { queuePairs } from '@/infra/platform/description';
import { dataAsOf } from '@/server/platform/freshness.schema';
import type { SagaDetail } from '@/server/platform/platform.schema';
import { useSagaQuery } from './data/saga-query';
import { SagaInterventions } from './saga-interventions';
import { sagaBanner } from './saga-state';

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
            {formatMoney(saga.amount, saga.currency)} · started {formatTime(saga.startedAt)} ·{' '}
            {formatDuration(saga.startedAt, saga.endedAt)}
          </span>
        </div>
        <div className="flex items-center gap-3">
          {actions}
          <LiveStatus updatedAt={query.dataUpdatedAt} fetching={query.isFetching} dataAsOf={dataAsOf(saga)} />
        </div>
      </div>
      {query.isError ? (
        <InlineError error={query.error} what="the latest saga state" onRetry={() => void query.refetch()} />
      ) : null}
      <SagaBannerNote saga={saga} />
      <SagaInterventions sagaId={saga.id} status={saga.status} />
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

const bannerTone = {
  danger: 'border-danger/60 bg-danger/10',
  warn: 'border-warn/60 bg-warn/10',
  info: 'border-border bg-surface-raised',
} as const;

/** What is wrong with the saga now, from its current state (a settled failure is not red). */
export function SagaBannerNote({ saga }: { saga: SagaDetail }) {
  const banner = sagaBanner(saga);
  if (!banner) return null;
  return (
    <p role="note" data-tone={banner.tone} className={`mb-4 rounded border p-3 text-sm ${bannerTone[banner.tone]}`}>
      <strong>{banner.title}</strong>
      {banner.detail ? <span className="block">{banner.detail}</span> : null}
    </p>
  );
}
