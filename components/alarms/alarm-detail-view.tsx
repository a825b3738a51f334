'use client';

import { useMemo, type ReactNode } from 'react';
import { TimeSeriesChart } from '@/components/charts/time-series-chart';
import { LiveStatus } from '@/components/live/live-status';
import { buttonClass, secondaryButtonClass } from '@/components/ui/action-fields';
import { AppLink } from '@/components/ui/app-link';
import { formatTime } from '@/components/ui/format';
import { InlineError } from '@/components/ui/inline-error';
import { lazyLeaf } from '@/components/ui/lazy-leaf';
import { Section } from '@/components/ui/section';
import { Skeleton } from '@/components/ui/skeleton';
import { StateBadge } from '@/components/ui/status-badge';
import { dataAsOf } from '@/server/platform/freshness.schema';
import type { Alarm } from '@/server/platform/platform.schema';
import { AlarmEpisode } from './alarm-episode';
import { alarmKind } from './alarm-kind';
import { useAlarmQuery } from './data/alarm-query';

const AlarmHistory = lazyLeaf(() => import('./alarm-history').then((m) => m.AlarmHistory));

export interface AlarmDetailViewProps {
  name: string;
  /** Slot for the write side's redrive of the DLQ the alarm concerns. Read side renders none. */
  redrive?: ReactNode;
  /** Slot for the write side's other actions (replay). Read side renders none. Never primary. */
  otherActions?: ReactNode;
}

/** One alarm: state, reason, threshold, its metric around the last state change, its history. */
export function AlarmDetailView({ name, redrive, otherActions }: AlarmDetailViewProps) {
  const query = useAlarmQuery(name);
  const data = query.data;
  const markers = useMemo(() => {
    if (!data) return [];
    const { since, episodeStart, state } = data.alarm;
    const change = { at: Date.parse(since), label: 'state change' };
    return state === 'ALARM' && episodeStart
      ? [change, { at: Date.parse(episodeStart), label: 'first breaching minute' }]
      : [change];
  }, [data]);
  if (query.isPending) return <Skeleton rows={6} label="Loading the alarm" />;
  if (!data) return <InlineError error={query.error} what={`alarm ${name}`} onRetry={() => void query.refetch()} />;
  const { alarm } = data;
  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <StateBadge state={alarm.state} />
          <AlarmEpisode alarm={alarm} now={query.dataUpdatedAt} />
          {alarm.resource.kind === 'queue' ? (
            <AppLink href={`/queues/${encodeURIComponent(alarm.resource.id)}`} className="text-accent underline">
              Queue {alarm.resource.id}
            </AppLink>
          ) : null}
        </div>
        <LiveStatus updatedAt={query.dataUpdatedAt} fetching={query.isFetching} dataAsOf={dataAsOf(data)} />
      </div>
      {query.isError ? (
        <InlineError error={query.error} what="the latest alarm state" onRetry={() => void query.refetch()} />
      ) : null}
      <dl className="mb-6 grid gap-x-6 gap-y-2 rounded border border-border bg-surface-raised p-4 text-sm sm:grid-cols-2">
        <div>
          <dt className="text-xs text-fg-muted">Description</dt>
          <dd>{alarm.description}</dd>
        </div>
        <div>
          <dt className="text-xs text-fg-muted">Reason</dt>
          <dd data-testid="alarm-reason">{alarm.reason}</dd>
        </div>
        <div>
          <dt className="text-xs text-fg-muted">Metric</dt>
          <dd>
            <code className="text-xs">
              {alarm.metric.namespace} {alarm.metric.name} ({alarm.metric.stat}, {alarm.metric.periodSeconds} s)
            </code>
          </dd>
        </div>
        <div>
          <dt className="text-xs text-fg-muted">Threshold</dt>
          <dd>
            {alarm.comparison} {alarm.threshold} · {alarm.datapointsToAlarm} of {alarm.evaluationPeriods} periods ·
            missing data: {alarm.treatMissingData}
          </dd>
        </div>
      </dl>
      <NextStep alarm={alarm} redrive={redrive} otherActions={otherActions} />
      <Section title="Metric around the state change">
        <TimeSeriesChart
          title={`${alarm.metric.name} from ${formatTime(data.window.from)} to ${formatTime(data.window.to)}`}
          series={data.series}
          threshold={alarm.threshold}
          markers={markers}
        />
      </Section>
      <Section title="State history">
        <AlarmHistory history={data.history} />
      </Section>
    </div>
  );
}

/** A collapsed list of moves that are not the alarm's first one. */
function OtherActions({ what, children }: { what: string; children: ReactNode }) {
  return (
    <details className="text-sm">
      <summary className="cursor-pointer text-fg-muted">Other actions ({what})</summary>
      <div className="mt-2 flex flex-wrap items-start gap-2">{children}</div>
    </details>
  );
}

export interface NextStepProps {
  alarm: Pick<Alarm, 'name' | 'resource'>;
  redrive?: ReactNode;
  otherActions?: ReactNode;
}

/**
 * After the diagnosis, the one move that fits the alarm's kind: for a DLQ alarm the redrive (its
 * form stays collapsed until asked for) with the incident view beside it as a secondary link; for
 * any other alarm the incident view. Everything else (a replay; the redrive of a non-DLQ alarm) is
 * folded away under "Other actions", never primary.
 */
export function NextStep({ alarm, redrive, otherActions }: NextStepProps) {
  const incidentHref = `/incident/${encodeURIComponent(alarm.name)}`;
  if (alarmKind(alarm) === 'dlq')
    return (
      <section aria-label="Next step" className="mb-6 flex flex-col items-start gap-3">
        <div className="flex flex-wrap items-start gap-3">
          {redrive}
          <AppLink href={incidentHref} className={secondaryButtonClass}>
            Open incident view
          </AppLink>
        </div>
        {otherActions ? <OtherActions what="replay">{otherActions}</OtherActions> : null}
      </section>
    );
  return (
    <section aria-label="Next step" className="mb-6 flex flex-col items-start gap-3">
      <AppLink href={incidentHref} className={buttonClass}>
        Open incident view
      </AppLink>
      {redrive || otherActions ? (
        <OtherActions what="replay, redrive">
          {redrive}
          {otherActions}
        </OtherActions>
      ) : null}
    </section>
  );
}
