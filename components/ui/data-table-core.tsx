'use client';

import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useRouter } from 'next/navigation';
import {
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type OnChangeFn,
  type SortingState,
} from '@tanstack/react-table';

export interface DataTableProps<T> {
  /** Accessible name of the table (also its visually hidden caption). */
  label: string;
  data: T[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- TanStack column defs are heterogeneous in their value type
  columns: ColumnDef<T, any>[];
  getRowId: (row: T) => string;
  /** Enter on a focused row opens this. */
  rowHref?: (row: T) => string;
  empty: ReactNode;
  /** Server-side sorting: the table only reports the operator's choice. */
  sorting?: SortingState;
  onSortingChange?: OnChangeFn<SortingState>;
}

const ariaSort = (dir: false | 'asc' | 'desc') =>
  dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none';

/**
 * A TanStack table: sortable headers (buttons with aria-sort), rows reachable with the
 * keyboard (Tab into the table, ↑/↓/Home/End to move, Enter to open the row).
 */
export function DataTableCore<T>({
  label,
  data,
  columns,
  getRowId,
  rowHref,
  empty,
  sorting,
  onSortingChange,
}: DataTableProps<T>) {
  const router = useRouter();
  const [localSorting, setLocalSorting] = useState<SortingState>([]);
  const manual = sorting !== undefined;
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Table is the required table library; this component is not memoized by the compiler, by design
  const table = useReactTable({
    data,
    columns,
    getRowId,
    state: { sorting: manual ? sorting : localSorting },
    onSortingChange: manual ? onSortingChange : setLocalSorting,
    manualSorting: manual,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: manual ? undefined : getSortedRowModel(),
  });
  const [active, setActive] = useState(0);
  const body = useRef<HTMLTableSectionElement>(null);
  const rows = table.getRowModel().rows;

  function onKeyDown(e: KeyboardEvent<HTMLTableRowElement>, index: number) {
    const moves: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: rows.length - 1 };
    if (e.key in moves) {
      e.preventDefault();
      const next = Math.max(0, Math.min(rows.length - 1, moves[e.key]!));
      setActive(next);
      body.current?.querySelectorAll<HTMLTableRowElement>('tr')[next]?.focus();
    } else if (e.key === 'Enter' && rowHref && e.target === e.currentTarget) {
      const row = rows[index];
      if (row) router.push(rowHref(row.original));
    }
  }

  if (!rows.length) return <>{empty}</>;
  return (
    <div className="overflow-x-auto rounded border border-border bg-surface-raised">
      <table aria-label={label} className="w-full text-left text-sm">
        <thead className="border-b border-border text-xs text-fg-muted">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const canSort = header.column.getCanSort();
                const content = flexRender(header.column.columnDef.header, header.getContext());
                return (
                  <th
                    key={header.id}
                    scope="col"
                    aria-sort={canSort ? ariaSort(header.column.getIsSorted()) : undefined}
                    className="px-3 py-2 font-semibold"
                  >
                    {canSort ? (
                      <button
                        type="button"
                        onClick={header.column.getToggleSortingHandler()}
                        className="inline-flex items-center gap-1 hover:text-fg"
                      >
                        {content}
                        <span aria-hidden="true">
                          {{ asc: '▲', desc: '▼' }[header.column.getIsSorted() as string] ?? '↕'}
                        </span>
                      </button>
                    ) : (
                      content
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody ref={body}>
          {rows.map((row, index) => (
            <tr
              key={row.id}
              tabIndex={index === Math.min(active, rows.length - 1) ? 0 : -1}
              onKeyDown={(e) => onKeyDown(e, index)}
              onFocus={() => setActive(index)}
              className="border-b border-border last:border-0 hover:bg-border/30 focus:bg-accent/10"
            >
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id} className="px-3 py-2 align-top">
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
