'use client';

import { useMemo } from 'react';
import type { ColumnDef } from '@tanstack/react-table';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState } from '@/components/ui/empty-state';
import { formatCount, formatTime } from '@/components/ui/format';
import { ProgressBar } from '@/components/ui/progress-bar';
import { StateBadge } from '@/components/ui/status-badge';
import { can, type Role } from '@/infra/platform/roles';
import type { Replay } from '@/server/platform/platform.schema';
import { CancelReplay } from './cancel-task';
import { TaskOutcomeText } from './task-outcome';

type Col = ColumnDef<Replay, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- column value types differ per column
const columns: Col[] = [
  { accessorKey: 'state', header: 'State', cell: (c) => <StateBadge state={c.getValue<string>()} /> },
  {
    accessorKey: 'name',
    header: 'Replay',
    cell: (c) => <span className="font-mono text-xs">{c.getValue<string>()}</span>,
  },
  {
    accessorFn: (r) => r.window.start,
    id: 'window',
    header: 'Window',
    cell: (c) => (
      <span className="text-xs">
        {formatTime(c.row.original.window.start)} → {formatTime(c.row.original.window.end)}
        {c.row.original.pattern ? (
          <span className="block text-fg-muted">filter {JSON.stringify(c.row.original.pattern)}</span>
        ) : null}
      </span>
    ),
  },
  {
    accessorKey: 'eventsReplayed',
    header: 'Progress',
    cell: (c) => (
      <div className="min-w-48">
        <ProgressBar
          label={`Replay ${c.row.original.name} progress`}
          value={c.getValue<number>()}
          total={c.row.original.eventsTotal}
        />
        <span className="text-xs text-fg-muted">
          {formatCount(c.getValue<number>())} events
          {c.row.original.stateReason ? ` · ${c.row.original.stateReason}` : ''}
        </span>
        <TaskOutcomeText outcome={c.row.original.outcome} />
      </div>
    ),
  },
  { accessorFn: (r) => r.startedBy ?? 'unknown', id: 'startedBy', header: 'Started by' },
  {
    accessorKey: 'startedAt',
    header: 'Started',
    cell: (c) => <span className="whitespace-nowrap text-xs">{formatTime(c.getValue<string>())}</span>,
  },
];

/** The cancel column, only for a role that may cancel replays (the server checks again). */
function columnsFor(role: Role | undefined): Col[] {
  if (!role || !can(role, 'archive.replay.cancel')) return columns;
  return [
    ...columns,
    { id: 'actions', header: 'Actions', cell: (c) => <CancelReplay replay={c.row.original} role={role} /> },
  ];
}

/** Replays with their progress; `role` (the caller's) decides whether active ones offer Cancel. */
export function ReplaysTable({ items, role }: { items: Replay[]; role?: Role }) {
  const cols = useMemo(() => columnsFor(role), [role]);
  return (
    <DataTable
      label="Replays"
      data={items}
      columns={cols}
      getRowId={(r) => r.name}
      empty={<EmptyState title="No replays yet">Replays re-send archived events onto the bus.</EmptyState>}
    />
  );
}
