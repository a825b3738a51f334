/**
 * Test support: renders a client component to static HTML (react-dom/server: unit tests have no
 * DOM) inside the providers the console's layout gives it: the App Router (its methods do
 * nothing), a pathname and search params when given, and TanStack Query.
 */
import type { ReactElement } from 'react';
import { AppRouterContext, type AppRouterInstance } from 'next/dist/shared/lib/app-router-context.shared-runtime';
import { PathnameContext, SearchParamsContext } from 'next/dist/shared/lib/hooks-client-context.shared-runtime';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToStaticMarkup } from 'react-dom/server';

const noop = () => undefined;

/** An App Router whose navigation methods do nothing. */
export const testRouter = {
  back: noop,
  forward: noop,
  refresh: noop,
  hmrRefresh: noop,
  push: noop,
  replace: noop,
  prefetch: noop,
} as unknown as AppRouterInstance;

export interface RenderOptions {
  /** The query client (e.g. with data already cached); a fresh one by default. */
  client?: QueryClient;
  pathname?: string;
  searchParams?: URLSearchParams;
}

/** `node` as static HTML inside the router, pathname, search-params and query providers. */
export function renderStatic(node: ReactElement, { client, pathname, searchParams }: RenderOptions = {}): string {
  let tree = <QueryClientProvider client={client ?? new QueryClient()}>{node}</QueryClientProvider>;
  if (searchParams) tree = <SearchParamsContext.Provider value={searchParams}>{tree}</SearchParamsContext.Provider>;
  if (pathname !== undefined) tree = <PathnameContext.Provider value={pathname}>{tree}</PathnameContext.Provider>;
  return renderToStaticMarkup(<AppRouterContext.Provider value={testRouter}>{tree}</AppRouterContext.Provider>);
}
