'use client';

import { useMemo, type ReactNode } from 'react';
import { AlarmEpisode } from '@/components/alarms/alarm-episode';
import { TimeSeriesChart } from '@/components/charts/time-series-chart';
import { LiveStatus } from '@/components/live/live-status';
import { QueueStats } from '@/components/queues/queue-stats';
import { AppLink } from '@/components/ui/app-link';
import { formatTime } from '@/components/ui/format';
import { InlineError } from '@/components/ui/inline-error';
import { lazyLeaf } from '@/components/ui/lazy-leaf';
import { Section } from '@/components/ui/section';
import { Skeleton } from '@/components/ui/skeleton';
import { StateBadge } from '@/components/ui/status-badge';
import { dataAsOf } from '@/server/platform/freshness.schema';
import { useIncidentQuery } from './data/incident-query';
import { IncidentGroups } from './incident-groups';

const IncidentTimeline = lazyLeaf(() => import('./incident-timeline').then((m) => m.IncidentTimeline));
const IncidentTransactions = lazyLeaf(() => import('./incident-transactions').then((m) => m.IncidentTransactions));

export interface IncidentViewProps {
  alarm: string;
  /** Slot for the write side's actions (redrive the alarm's DLQ), shown after the diagnosis. Read side renders none. */
  actions?: ReactNode;
}

/**
 * From one alarm, diagnosis first: the alarm (description, reason, episode), the failed or
 * compensated sagas of the window by step and error, the metric and the DLQ; then the actions;
 * then the timeline and the transactions involved.
 */
export function IncidentView({ alarm: name, actions }: IncidentViewProps) {
  const query = useIncidentQuery(name);
  const data = query.data;
  const markers = useMemo(() => (data ? [{ at: Date.parse(data.alarm.since), label: 'state change' }] : []), [data]);
  if (query.isPending) return <Skeleton rows={8} label="Loading the incident" />;
  if (!data)
    return <InlineError error={query.error} what={`the incident of ${name}`} onRetry={() => void query.refetch()} />;
  const { alarm, queue } = data;
  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <p className="flex flex-wrap items-center gap-2 text-sm">
          <StateBadge state={alarm.state} />
          <AppLink href={`/alarms/${encodeURIComponent(alarm.name)}`} className="font-semibold text-accent underline">
            {alarm.name}
          </AppLink>
          <span className="text-fg-muted">
            window {formatTime(data.window.from)} → {formatTime(data.window.to)}
          </span>
        </p>
        <LiveStatus updatedAt={query.dataUpdatedAt} fetching={query.isFetching} dataAsOf={dataAsOf(data)} />
      </div>
      {query.isError ? (
        <InlineError error={query.error} what="the latest incident data" onRetry={() => void query.refetch()} />
      ) : null}
      <section
        aria-label="Diagnosis"
        className={`mb-4 rounded border p-3 text-sm ${alarm.state === 'ALARM' ? 'border-danger/60 bg-danger/5' : 'border-border bg-surface-raised'}`}
      >
        <p className="font-semibold">{alarm.description}</p>
        <p className="mt-1">{alarm.reason}</p>
        <p className="mt-1">
          <AlarmEpisode alarm={alarm} now={query.dataUpdatedAt} />
        </p>
      </section>
      {data.truncated ? (
        <p role="note" className="mb-4 text-xs text-warn">
          Each list shows its first page only; open the queue or the saga list for everything.
        </p>
      ) : null}
      <Section title="Failed and compensated sagas">
        <IncidentGroups data={data} />
      </Section>
      <div className="mb-6 grid gap-3 lg:grid-cols-2">
        <TimeSeriesChart
          title="Alarm metric and DLQ depth in the window"
          series={data.series}
          threshold={alarm.threshold}
          markers={markers}
        />
        <div className="rounded border border-border bg-surface-raised p-3">
          <h2 className="mb-2 text-sm font-semibold">
            {queue ? (
              <AppLink href={`/queues/${encodeURIComponent(queue.id)}`} className="text-accent underline">
                Queue {queue.id} and its DLQ
              </AppLink>
            ) : (
              'No queue concerned'
            )}
          </h2>
          {queue ? <QueueStats pair={queue} /> : null}
          <p className="mt-2 text-xs text-fg-muted">{data.deadLetterCount} dead letters in the window.</p>
        </div>
      </div>
      {actions ? (
        // After the diagnosis; each action stays collapsed behind its button until asked for.
        // `empty:hidden`: a slot whose action renders nothing (no permission, not a DLQ alarm) takes no room.
        <section aria-label="Next step" className="mb-6 flex flex-wrap items-start gap-3 empty:hidden">
          {actions}
        </section>
      ) : null}
      <Section title="Timeline">
        <IncidentTimeline events={data.timeline} />
      </Section>
      <Section title="Transactions involved">
        <IncidentTransactions items={data.transactions} queueId={queue?.id ?? null} />
      </Section>
    </div>
  );
}
