'use client';

import type { DataTableProps } from './data-table-core';
import { lazyLeaf } from './lazy-leaf';
import { Skeleton } from './skeleton';

export type { DataTableProps } from './data-table-core';

const Core = lazyLeaf(() => import('./data-table-core').then((m) => m.DataTableCore), {
  fallback: <Skeleton rows={4} label="Loading the table" />,
});

/** A sortable, keyboard-navigable TanStack table (see DataTableCore), its code loaded alongside the data, rendered on the server too. */
export function DataTable<T>(props: DataTableProps<T>) {
  return <Core {...(props as unknown as DataTableProps<unknown>)} />;
}
