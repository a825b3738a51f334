'use client';

import { useMemo } from 'react';
import type { ColumnDef } from '@tanstack/react-table';
import { DataTable } from '@/components/ui/data-table';
import type { DisplayNames } from '@/components/ui/display-name';
import { EmptyState } from '@/components/ui/empty-state';
import { formatCount, formatTime } from '@/components/ui/format';
import { ProgressBar } from '@/components/ui/progress-bar';
import { StateBadge } from '@/components/ui/status-badge';
import { can, type Role } from '@/infra/platform/roles';
import type { Replay } from '@/server/platform/platform.schema';
import { CancelReplay } from './cancel-task';
import { startedColumns } from './started-columns';
import { TaskOutcomeText } from './task-outcome';

type Col = ColumnDef<Replay, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- column value types differ per column
const taskColumns: Col[] = [
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
];

/** The task's columns, who started it by name, and Cancel only for a role that may cancel (the server checks again). */
function columnsFor(role: Role | undefined, names: DisplayNames | undefined): Col[] {
  const columns = [...taskColumns, ...startedColumns<Replay>(names)];
  if (!role || !can(role, 'archive.replay.cancel')) return columns;
  return [
    ...columns,
    { id: 'actions', header: 'Actions', cell: (c) => <CancelReplay replay={c.row.original} role={role} /> },
  ];
}

/** Replays with their progress; `role` (the caller's) decides whether active ones offer Cancel. */
export function ReplaysTable({
  items,
  role,
  names,
}: {
  items: Replay[];
  role?: Role;
  /** Display names by user id (who started each task). */
  names?: DisplayNames;
}) {
  const cols = useMemo(() => columnsFor(role, names), [role, names]);
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
