'use client';

import { useState } from 'react';
import type { ColumnDef, SortingState } from '@tanstack/react-table';
import { LiveStatus } from '@/components/live/live-status';
import { TimeRangePicker } from '@/components/live/time-range-picker';
import { useUrlState } from '@/components/live/use-url-state';
import { AppLink } from '@/components/ui/app-link';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState } from '@/components/ui/empty-state';
import { formatDuration, formatMoney, formatTime } from '@/components/ui/format';
import { InlineError } from '@/components/ui/inline-error';
import { Pager } from '@/components/ui/pager';
import { Skeleton } from '@/components/ui/skeleton';
import { StateBadge } from '@/components/ui/status-badge';
import type { SagaStatus } from '@/infra/saga/definition';
import type { SagasRouteInput } from '@/server/ops/read/read.schema';
import { dataAsOf } from '@/server/platform/freshness.schema';
import type { SagaSummary } from '@/server/platform/platform.schema';
import { useSagasQuery } from './data/sagas-query';
import { ANY_TIME, COMPENSATING_CURSOR, IN_FLIGHT, sagaLists } from './sagas-url';

// Listed here (not from the zod schema) so the page does not ship zod to the browser.
const statuses: readonly SagaStatus[] = ['RUNNING', 'SUCCEEDED', 'COMPENSATING', 'COMPENSATED', 'FAILED'];
type Col = ColumnDef<SagaSummary, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- column value types differ per column
const columns: Col[] = [
  {
    accessorKey: 'status',
    header: 'Status',
    enableSorting: false,
    cell: (c) => <StateBadge state={c.getValue<string>()} />,
  },
  {
    accessorKey: 'transactionId',
    header: 'Transaction',
    enableSorting: false,
    cell: (c) => (
      <AppLink
        href={`/sagas/${encodeURIComponent(c.row.original.id)}`}
        className="font-mono text-xs text-accent underline"
      >
        {c.getValue<string>()}
      </AppLink>
    ),
  },
  {
    accessorKey: 'startedAt',
    header: 'Started',
    cell: (c) => <span className="whitespace-nowrap text-xs">{formatTime(c.getValue<string>())}</span>,
  },
  {
    accessorFn: (s) => formatDuration(s.startedAt, s.endedAt),
    id: 'duration',
    header: 'Duration',
    enableSorting: false,
  },
  { accessorFn: (s) => formatMoney(s.amount, s.currency), id: 'amount', header: 'Amount', enableSorting: false },
  {
    accessorFn: (s) => (s.failedStep ? `${s.failedStep}: ${s.error ?? ''}` : ''),
    id: 'failure',
    header: 'Failure',
    enableSorting: false,
    cell: (c) => <span className="text-xs">{c.getValue<string>()}</span>,
  },
];

export interface SagasViewProps {
  filters: SagasRouteInput;
  /** RUNNING and COMPENSATING sagas (what the overview's "Running now" tile counts), one list each. */
  inFlight?: boolean;
  /** The in-flight view's cursor for its COMPENSATING list. */
  compensatingCursor?: string;
}

/** Sagas filtered by status, range and transaction id; sorted and cursor-paged on the server. */
export function SagasView({ filters, inFlight = false, compensatingCursor }: SagasViewProps) {
  const { set } = useUrlState();
  const [tx, setTx] = useState(filters.transactionId ?? '');
  const unbounded = !filters.range && !filters.from && !filters.to;
  const lists = sagaLists(filters, inFlight, compensatingCursor);
  const clearCursors = { cursor: null, [COMPENSATING_CURSOR]: null };
  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        {unbounded ? (
          <div role="group" aria-label="Time range" className="flex items-center gap-2 text-sm">
            <span>Any start time</span>
            <button
              type="button"
              onClick={() => set({ range: '24h', ...clearCursors })}
              className="rounded border border-border px-2.5 py-1 text-xs"
            >
              Only the last 24 h
            </button>
          </div>
        ) : (
          <TimeRangePicker range={filters.range ?? '24h'} from={filters.from} to={filters.to} />
        )}
        <SagasLiveStatus lists={lists.map((l) => l.filters)} />
      </div>
      <div className="mb-4 flex flex-wrap items-end gap-3">
        <label className="flex flex-col gap-1 text-sm">
          Status
          <select
            value={inFlight ? IN_FLIGHT : (filters.status ?? 'all')}
            onChange={(e) => set({ status: e.target.value === 'all' ? null : e.target.value, ...clearCursors })}
            className="rounded border border-border bg-surface-raised px-2 py-1"
          >
            <option value="all">All statuses</option>
            <option value={IN_FLIGHT}>In flight (RUNNING or COMPENSATING)</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {/* A plain GET form too: submitted before the page has hydrated, it loads the page with these filters. */}
        <form
          role="search"
          aria-label="Sagas by transaction"
          method="get"
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            set({ transactionId: tx.trim() || null, ...clearCursors });
          }}
        >
          {Object.entries({
            status: inFlight ? IN_FLIGHT : filters.status,
            range: unbounded ? ANY_TIME : filters.range,
            from: filters.from,
            to: filters.to,
            sort: filters.sort === 'startedAt:asc' ? filters.sort : undefined,
          }).map(([name, value]) => (value ? <input key={name} type="hidden" name={name} value={value} /> : null))}
          <label className="flex flex-col gap-1 text-sm">
            Transaction id
            <input
              type="search"
              name="transactionId"
              value={tx}
              onChange={(e) => setTx(e.target.value)}
              className="w-72 rounded border border-border bg-surface-raised px-2 py-1 font-mono text-sm"
            />
          </label>
          <button type="submit" className="rounded border border-border px-3 py-1 text-sm">
            Filter
          </button>
        </form>
      </div>
      {lists.map((l) => (
        <SagaList key={l.label} label={l.label} filters={l.filters} cursorParam={l.cursorParam} titled={inFlight} />
      ))}
    </div>
  );
}

/**
 * "Updated … ago" for the first list (one poll cadence for all of them), and "data as of" the
 * oldest data any list was answered with (a throttled read served from cache). There are at most
 * two lists (the in-flight view's); a single list is read twice from its one cache entry (one
 * request), so the hooks stay the same from render to render without useQueries' extra code.
 */
function SagasLiveStatus({ lists }: { lists: SagasRouteInput[] }) {
  const first = useSagasQuery(lists[0]!);
  const second = useSagasQuery(lists[1] ?? lists[0]!);
  return (
    <LiveStatus
      updatedAt={first.dataUpdatedAt}
      fetching={first.isFetching || second.isFetching}
      dataAsOf={dataAsOf(first.data, second.data)}
    />
  );
}

/** One server-sorted, cursor-paged list of sagas. */
function SagaList({
  label,
  filters,
  cursorParam,
  titled,
}: {
  label: string;
  filters: SagasRouteInput;
  cursorParam: string;
  titled: boolean;
}) {
  const query = useSagasQuery(filters);
  const { set } = useUrlState();
  const sorting: SortingState = [{ id: 'startedAt', desc: (filters.sort ?? 'startedAt:desc') === 'startedAt:desc' }];
  return (
    <section aria-label={titled ? label : undefined} className={titled ? 'mb-6' : undefined}>
      {titled ? <h2 className="mb-2 text-lg font-semibold">{label}</h2> : null}
      {query.isError ? (
        <InlineError error={query.error} what={label.toLowerCase()} onRetry={() => void query.refetch()} />
      ) : null}
      {query.isPending ? (
        <Skeleton rows={8} label={`Loading ${label.toLowerCase()}`} />
      ) : query.data ? (
        <div className={query.isPlaceholderData ? 'opacity-60' : ''}>
          <DataTable
            label={label}
            data={query.data.items}
            columns={columns}
            getRowId={(s) => s.id}
            rowHref={(s) => `/sagas/${encodeURIComponent(s.id)}`}
            sorting={sorting}
            onSortingChange={() =>
              set({ sort: sorting[0]?.desc ? 'startedAt:asc' : null, cursor: null, [COMPENSATING_CURSOR]: null })
            }
            empty={
              <EmptyState title="No saga matches these filters">
                Widen the time range or clear the status and transaction filters.
              </EmptyState>
            }
          />
          <Pager
            label={label === 'Sagas' ? 'Saga' : label}
            cursor={filters.cursor}
            nextCursor={query.data.nextCursor}
            onPage={(c) => set({ [cursorParam]: c })}
          />
        </div>
      ) : null}
    </section>
  );
}
