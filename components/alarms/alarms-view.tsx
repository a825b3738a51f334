'use client';

import { useMemo } from 'react';
import type { ColumnDef } from '@tanstack/react-table';
import { LiveStatus } from '@/components/live/live-status';
import { useUrlState } from '@/components/live/use-url-state';
import { AppLink } from '@/components/ui/app-link';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState } from '@/components/ui/empty-state';
import { InlineError } from '@/components/ui/inline-error';
import { Skeleton } from '@/components/ui/skeleton';
import { StateBadge } from '@/components/ui/status-badge';
import { dataAsOf } from '@/server/platform/freshness.schema';
import type { Alarm, AlarmState } from '@/server/platform/platform.schema';
import { AlarmEpisode } from './alarm-episode';
import { useAlarmsQuery } from './data/alarms-query';

type Col = ColumnDef<Alarm, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- column value types differ per column
const comparisonSymbol: Record<Alarm['comparison'], string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '≥',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
};
/** The alarms table's columns; `now` (unix ms) says how long an episode has lasted. */
export const alarmColumns = (now: number): Col[] => [
  { accessorKey: 'state', header: 'State', cell: (c) => <StateBadge state={c.getValue<string>()} /> },
  {
    accessorKey: 'name',
    header: 'Alarm',
    cell: (c) => (
      <AppLink
        href={`/alarms/${encodeURIComponent(c.getValue<string>())}`}
        className="font-semibold text-accent underline"
      >
        {c.getValue<string>()}
      </AppLink>
    ),
  },
  {
    accessorKey: 'reason',
    header: 'Reason',
    enableSorting: false,
    cell: (c) => <span className="text-xs">{c.getValue<string>()}</span>,
  },
  {
    // In ALARM: since the episode's first breaching minute (stable while it lasts), else the last change.
    accessorFn: (a) => (a.state === 'ALARM' && a.episodeStart ? a.episodeStart : a.since),
    id: 'since',
    header: 'Since',
    cell: (c) => (
      <span className="text-xs">
        <AlarmEpisode alarm={c.row.original} now={now} />
      </span>
    ),
  },
  {
    accessorFn: (a) => `${a.metric.name} ${comparisonSymbol[a.comparison]} ${a.threshold}`,
    id: 'threshold',
    header: 'Metric and threshold',
    enableSorting: false,
    cell: (c) => <code className="text-xs">{c.getValue<string>()}</code>,
  },
  { accessorKey: 'region', header: 'Region' },
];

const states: (AlarmState | 'all')[] = ['all', 'ALARM', 'INSUFFICIENT_DATA', 'OK'];

/** Alarms with a state filter in the URL. */
export function AlarmsView({ state }: { state?: AlarmState }) {
  const query = useAlarmsQuery({ state });
  const { set } = useUrlState();
  const cols = useMemo(() => alarmColumns(query.dataUpdatedAt), [query.dataUpdatedAt]);
  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <label className="flex items-center gap-2 text-sm">
          State
          <select
            value={state ?? 'all'}
            onChange={(e) => set({ state: e.target.value === 'all' ? null : e.target.value })}
            className="rounded border border-border bg-surface-raised px-2 py-1"
          >
            {states.map((s) => (
              <option key={s} value={s}>
                {s === 'all' ? 'All states' : s}
              </option>
            ))}
          </select>
        </label>
        <LiveStatus updatedAt={query.dataUpdatedAt} fetching={query.isFetching} dataAsOf={dataAsOf(query.data)} />
      </div>
      {query.isError ? <InlineError error={query.error} what="alarms" onRetry={() => void query.refetch()} /> : null}
      {query.isPending ? (
        <Skeleton rows={6} label="Loading alarms" />
      ) : query.data ? (
        <DataTable
          label="Alarms"
          data={query.data}
          columns={cols}
          getRowId={(a) => a.name}
          rowHref={(a) => `/alarms/${encodeURIComponent(a.name)}`}
          empty={
            <EmptyState title={state ? `No alarm is in state ${state}` : 'No alarms'}>
              Alarms come from the platform description.
            </EmptyState>
          }
        />
      ) : null}
    </div>
  );
}
