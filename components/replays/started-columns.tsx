import type { ColumnDef } from '@tanstack/react-table';
import { displayName, type DisplayNames } from '@/components/ui/display-name';
import { formatTime } from '@/components/ui/format';

/**
 * "Started by" (the person's display name; an id the page does not know shows as it is) and
 * "Started" columns of a task table (replays, redrives). Sorting and filtering see the name.
 */
export function startedColumns<T extends { startedBy: string | null; startedAt: string }>(
  names: DisplayNames | undefined,
): ColumnDef<T, string>[] {
  return [
    { accessorFn: (t) => displayName(names, t.startedBy), id: 'startedBy', header: 'Started by' },
    {
      accessorFn: (t) => t.startedAt,
      id: 'startedAt',
      header: 'Started',
      cell: (c) => <span className="whitespace-nowrap text-xs">{formatTime(c.getValue())}</span>,
    },
  ];
}
