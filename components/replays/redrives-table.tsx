'use client';

import { useMemo } from 'react';
import type { ColumnDef } from '@tanstack/react-table';
import { AppLink } from '@/components/ui/app-link';
import { DataTable } from '@/components/ui/data-table';
import type { DisplayNames } from '@/components/ui/display-name';
import { EmptyState } from '@/components/ui/empty-state';
import { ProgressBar } from '@/components/ui/progress-bar';
import { StateBadge } from '@/components/ui/status-badge';
import { can, type Role } from '@/infra/platform/roles';
import type { RedriveTask } from '@/server/platform/platform.schema';
import { CancelRedrive } from './cancel-task';
import { startedColumns } from './started-columns';
import { TaskOutcomeText } from './task-outcome';

type Col = ColumnDef<RedriveTask, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- column value types differ per column
const taskColumns: Col[] = [
  { accessorKey: 'status', header: 'State', cell: (c) => <StateBadge state={c.getValue<string>()} /> },
  {
    accessorKey: 'queueId',
    header: 'Source',
    cell: (c) => (
      <AppLink href={`/queues/${encodeURIComponent(c.getValue<string>())}`} className="text-accent underline">
        {c.getValue<string>()} DLQ ({c.row.original.selection === 'all' ? 'all messages' : 'selected messages'})
      </AppLink>
    ),
  },
  {
    accessorKey: 'moved',
    header: 'Progress',
    cell: (c) => (
      <div className="min-w-48">
        <ProgressBar
          label={`Redrive ${c.row.original.id} progress`}
          value={c.getValue<number>()}
          total={c.row.original.total}
        />
        <span className="text-xs text-fg-muted">
          {c.getValue<number>()} of {c.row.original.total} moved ·{' '}
          {c.row.original.rate ? `${c.row.original.rate} msg/s` : 'unthrottled'}
          {c.row.original.failureReason ? ` · ${c.row.original.failureReason}` : ''}
        </span>
        <TaskOutcomeText outcome={c.row.original.outcome} />
      </div>
    ),
  },
];

/** The task's columns, who started it by name, and Cancel only for a role that may cancel (the server checks again). */
function columnsFor(role: Role | undefined, names: DisplayNames | undefined): Col[] {
  const columns = [...taskColumns, ...startedColumns<RedriveTask>(names)];
  if (!role || !can(role, 'queue.redrive.cancel')) return columns;
  return [
    ...columns,
    { id: 'actions', header: 'Actions', cell: (c) => <CancelRedrive task={c.row.original} role={role} /> },
  ];
}

/** Redrive tasks with their progress; `role` (the caller's) decides whether running ones offer Cancel. */
export function RedrivesTable({
  items,
  role,
  names,
}: {
  items: RedriveTask[];
  role?: Role;
  /** Display names by user id (who started each task). */
  names?: DisplayNames;
}) {
  const cols = useMemo(() => columnsFor(role, names), [role, names]);
  return (
    <DataTable
      label="Redrives"
      data={items}
      columns={cols}
      getRowId={(t) => t.id}
      empty={<EmptyState title="No redrives yet">Redrives move dead letters back to their source queue.</EmptyState>}
    />
  );
}
