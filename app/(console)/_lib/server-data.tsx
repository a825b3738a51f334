import 'server-only';
import type { ReactNode } from 'react';
import { headers } from 'next/headers';
import { dehydrate, HydrationBoundary, QueryClient, type QueryKey } from '@tanstack/react-query';
import type { Permission } from '@/infra/platform/roles';
import type { Caller } from '@/server/auth/permissions.schema';
import type { OpsContext } from '@/server/ops/context';
import { opsFor } from '@/server/ops/server-context';

/**
 * One of a page's first reads, done on the server: the query key its browser query uses, the
 * permission of the API route that answers that query, and the verb that route calls.
 */
export interface ServerRead {
  queryKey: QueryKey;
  permission: Permission;
  read: (ops: OpsContext, caller: Caller) => Promise<unknown>;
  /** Reads that need this one's result (e.g. each listed queue's charts), done once it has succeeded. */
  then?: (data: unknown) => ServerRead[];
}

/**
 * Does `reads` on the server with the caller's session (in parallel) and renders `children` with
 * their results in the browser's query cache, so a page opened from its address (a link in a
 * page, a bookmark, a reload) arrives rendered with its first data: no client fetch before the
 * largest paint, and no re-render of the view when that fetch resolves (on a phone each such pass
 * was a 100-250 ms task). Each result is stored as the API route would send it (a JSON round
 * trip), so the cache holds the same data as after a browser fetch. A read the caller may not
 * make, or one that fails, leaves its query empty and the browser fetches it as before (the API
 * route answers with the error).
 *
 * Navigations inside the console (a link, a range or search change, a refresh after an action)
 * read nothing here: the browser's cache may hold the data already, and the view shows its
 * skeleton or its previous data at once and fetches, where a server read would hold the whole
 * navigation (a dead-letter search on SQS takes seconds) with nothing on screen to say so.
 */
export async function ServerData({
  caller,
  reads,
  children,
}: {
  caller: Caller | null;
  reads: ServerRead[];
  children: ReactNode;
}) {
  if (!caller || (await isInConsoleNavigation())) return <>{children}</>;
  const client = new QueryClient();
  const run = async ({ queryKey, permission, read, then }: ServerRead): Promise<void> => {
    const ops = await opsFor(caller, permission);
    if (!ops) return;
    // The caller and the ops context are the session's, not part of what the data is keyed by.
    const asTheRouteSends = async () => JSON.parse(JSON.stringify((await read(ops, caller)) ?? null)) as unknown;
    await client.prefetchQuery({ queryKey, queryFn: asTheRouteSends });
    const data = client.getQueryData(queryKey);
    if (then && data !== undefined) await Promise.all(then(data).map(run));
  };
  await Promise.all(reads.map(run));
  return <HydrationBoundary state={dehydrate(client)}>{children}</HydrationBoundary>;
}

/** The request is the console's own router asking for a page's RSC payload (Next's `rsc` header), not a document load. */
async function isInConsoleNavigation(): Promise<boolean> {
  return (await headers()).get('rsc') === '1';
}
