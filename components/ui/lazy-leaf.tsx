'use client';

import dynamic from 'next/dynamic';
import type { ComponentType } from 'react';

/**
 * A data-rendering leaf whose code loads in parallel with the view's first data request:
 * the fetch starts when the page's module evaluates in the browser, and the view renders the
 * leaf only once data has arrived (until then it shows its skeleton). Keeps first-load JS to
 * what the skeleton and the data fetch need.
 */
export function lazyLeaf<P extends object>(load: () => Promise<ComponentType<P>>) {
  if (typeof window !== 'undefined') void load();
  return dynamic(load, { ssr: false, loading: () => <div className="h-16 animate-pulse rounded bg-border/40" /> });
}
