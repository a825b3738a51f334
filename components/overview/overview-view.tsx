'use client';

import type { ReactNode } from 'react';
import { TimeSeriesChart } from '@/components/charts/time-series-chart';
import { LiveStatus } from '@/components/live/live-status';
import { TimeRangePicker } from '@/components/live/time-range-picker';
import type { DisplayNames } from '@/components/ui/display-name';
import { InlineError } from '@/components/ui/inline-error';
import { Section } from '@/components/ui/section';
import { Skeleton } from '@/components/ui/skeleton';
import type { Role } from '@/infra/platform/roles';
import type { RangeInput } from '@/server/ops/read/read.schema';
import { dataAsOf } from '@/server/platform/freshness.schema';
import { ActiveTasks } from './active-tasks';
import { useOverviewQuery } from './data/overview-query';
import { RegionSection } from './region-section';
import { SagaOutcomes } from './saga-outcomes';

export interface OverviewViewProps {
  range: RangeInput;
  /** Slot for the write side's overview actions (e.g. start a replay). Read side renders none. */
  actions?: ReactNode;
  /** The caller's role: active replays and redrives offer Cancel when it may cancel them. */
  role?: Role;
  /** Display names by user id (who started a replay or redrive); unknown ids show as they are. */
  names?: DisplayNames;
}

/** The overview: one polled call, per-region tiles, saga outcomes, throughput, active tasks. */
export function OverviewView({ range, actions, role, names }: OverviewViewProps) {
  const query = useOverviewQuery(range);
  // The sections are imported eagerly, not loaded after first paint: a section still loading
  // when anything above it re-rendered lost its server HTML to the empty Suspense fallback and
  // got it back (Lighthouse mobile CLS 0.61 on the overview, every cold load).
  const { data } = query;
  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <TimeRangePicker range={range.range ?? '1h'} from={range.from} to={range.to} />
        <div className="flex flex-wrap items-center gap-3">
          {actions}
          <LiveStatus updatedAt={query.dataUpdatedAt} fetching={query.isFetching} dataAsOf={dataAsOf(data)} />
        </div>
      </div>
      {query.isError ? (
        <div className="mb-4">
          <InlineError error={query.error} what="the overview" onRetry={() => void query.refetch()} />
        </div>
      ) : null}
      {!data ? (
        query.isPending ? (
          <Skeleton rows={8} label="Loading the overview" />
        ) : null
      ) : (
        <>
          {data.regions.map((r) => (
            <RegionSection key={r.region.id} data={r} />
          ))}
          <Section title="Saga outcomes">
            <SagaOutcomes outcomes={data.sagaOutcomes} range={range} />
          </Section>
          <Section title="Event throughput">
            {/* The chart draws in the browser: its box is held at the drawn size (plot and legend). */}
            <div className="min-h-[17rem]">
              <TimeSeriesChart title={`Events per ${data.range.periodSeconds / 60} min`} series={data.throughput} />
            </div>
          </Section>
          <Section title="Active replays and redrives">
            <ActiveTasks replays={data.activeReplays} redrives={data.activeRedrives} role={role} names={names} />
          </Section>
        </>
      )}
    </div>
  );
}
