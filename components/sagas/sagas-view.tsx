'use client';

import { useState } from 'react';
import type { ColumnDef, SortingState } from '@tanstack/react-table';
import { LiveStatus } from '@/components/live/live-status';
import { TimeRangePicker } from '@/components/live/time-range-picker';
import { useUrlState } from '@/components/live/use-url-state';
import { AppLink } from '@/components/ui/app-link';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState } from '@/components/ui/empty-state';
import { formatAmount, formatDuration, formatTime } from '@/components/ui/format';
import { InlineError } from '@/components/ui/inline-error';
import { Pager } from '@/components/ui/pager';
import { Skeleton } from '@/components/ui/skeleton';
import { StateBadge } from '@/components/ui/status-badge';
import type { SagasRouteInput } from '@/server/ops/read/read.schema';
import type { SagaStatus, SagaSummary } from '@/server/platform/platform.schema';
import { useSagasQuery } from './data/sagas-query';

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
  { accessorFn: (s) => formatAmount(s.amount, s.currency), id: 'amount', header: 'Amount', enableSorting: false },
  {
    accessorFn: (s) => (s.failedStep ? `${s.failedStep}: ${s.error ?? ''}` : ''),
    id: 'failure',
    header: 'Failure',
    enableSorting: false,
    cell: (c) => <span className="text-xs">{c.getValue<string>()}</span>,
  },
];

/** Sagas filtered by status, range and transaction id; sorted and cursor-paged on the server. */
export function SagasView({ filters }: { filters: SagasRouteInput }) {
  const query = useSagasQuery(filters);
  const { set } = useUrlState();
  const [tx, setTx] = useState(filters.transactionId ?? '');
  const sorting: SortingState = [{ id: 'startedAt', desc: (filters.sort ?? 'startedAt:desc') === 'startedAt:desc' }];
  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <TimeRangePicker range={filters.range ?? '24h'} from={filters.from} to={filters.to} />
        <LiveStatus updatedAt={query.dataUpdatedAt} fetching={query.isFetching} />
      </div>
      <div className="mb-4 flex flex-wrap items-end gap-3">
        <label className="flex flex-col gap-1 text-sm">
          Status
          <select
            value={filters.status ?? 'all'}
            onChange={(e) => set({ status: e.target.value === 'all' ? null : e.target.value, cursor: null })}
            className="rounded border border-border bg-surface-raised px-2 py-1"
          >
            <option value="all">All statuses</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <form
          role="search"
          aria-label="Sagas by transaction"
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            set({ transactionId: tx.trim() || null, cursor: null });
          }}
        >
          <label className="flex flex-col gap-1 text-sm">
            Transaction id
            <input
              type="search"
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
      {query.isError ? <InlineError error={query.error} what="sagas" onRetry={() => void query.refetch()} /> : null}
      {query.isPending ? (
        <Skeleton rows={8} label="Loading sagas" />
      ) : query.data ? (
        <div className={query.isPlaceholderData ? 'opacity-60' : ''}>
          <DataTable
            label="Sagas"
            data={query.data.items}
            columns={columns}
            getRowId={(s) => s.id}
            rowHref={(s) => `/sagas/${encodeURIComponent(s.id)}`}
            sorting={sorting}
            onSortingChange={() => set({ sort: sorting[0]?.desc ? 'startedAt:asc' : null, cursor: null })}
            empty={
              <EmptyState title="No saga matches these filters">
                Widen the time range or clear the status and transaction filters.
              </EmptyState>
            }
          />
          <Pager
            label="Saga"
            cursor={filters.cursor}
            nextCursor={query.data.nextCursor}
            onPage={(c) => set({ cursor: c })}
          />
        </div>
      ) : null}
    </div>
  );
}
