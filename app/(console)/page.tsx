import type { Metadata } from 'next';
import { dehydrate, HydrationBoundary, QueryClient } from '@tanstack/react-query';
import { displayNames } from '@/app/(console)/_lib/display-names';
import { replaySlot } from '@/app/(console)/_lib/replay-slot';
import { overviewKeys } from '@/components/overview/data/keys';
import { OverviewView } from '@/components/overview/overview-view';
import { PageHeader } from '@/components/ui/page-header';
import type { Caller } from '@/server/auth/permissions.schema';
import { getCaller } from '@/server/auth/session';
import { getOverview } from '@/server/ops/read/overview';
import { rangeFromSearchParams, type RangeInput, type SearchParams } from '@/server/ops/read/read.schema';
import { opsFor } from '@/server/ops/server-context';

export const metadata: Metadata = { title: 'Overview' };

/**
 * The overview's first data, read on the server with the caller's session through the same
 * verb the API route calls: the page arrives rendered with it (no client fetch before the
 * largest paint) and the browser's query cache starts from it. A failed read leaves the cache
 * empty and the browser fetches as before.
 */
async function prefetchOverview(caller: Caller | null, range: RangeInput): Promise<QueryClient> {
  const client = new QueryClient();
  const ops = await opsFor(caller, 'platform.read');
  if (ops && caller) {
    // The caller and the ops context are the session's, not part of what the data is keyed by.
    const read = () => getOverview(ops, caller, range);
    await client.prefetchQuery({ queryKey: overviewKeys.range(range), queryFn: read });
  }
  return client;
}

export default async function OverviewPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const range = rangeFromSearchParams(await searchParams);
  const caller = await getCaller();
  const [replay, client] = await Promise.all([replaySlot(caller), prefetchOverview(caller, range)]);
  return (
    <>
      <PageHeader title="Overview" description="Firing alarms, dead-letter queues, sagas and replays per region." />
      <HydrationBoundary state={dehydrate(client)}>
        <OverviewView range={range} actions={replay} role={caller?.role} names={displayNames(caller)} />
      </HydrationBoundary>
    </>
  );
}
