'use client';

import type { DataTableProps } from './data-table-core';
import { clientOnly } from './lazy-leaf';
import { Skeleton } from './skeleton';

export type { DataTableProps } from './data-table-core';

const Core = clientOnly(() => import('./data-table-core').then((m) => m.DataTableCore), {
  fallback: <Skeleton rows={4} label="Loading the table" />,
});

/** A sortable, keyboard-navigable TanStack table (see DataTableCore), its code loaded alongside the data. */
export function DataTable<T>(props: DataTableProps<T>) {
  return <Core {...(props as unknown as DataTableProps<unknown>)} />;
}
