import type { Metadata } from 'next';
import { displayNames } from '@/app/(console)/_lib/display-names';
import { replaySlot, StartedSlot } from '@/app/(console)/_lib/replay-slot';
import { ServerData } from '@/app/(console)/_lib/server-data';
import { serverReads } from '@/app/(console)/_lib/server-reads';
import { OverviewView } from '@/components/overview/overview-view';
import { PageHeader } from '@/components/ui/page-header';
import { getCaller } from '@/server/auth/session';
import { rangeFromSearchParams, type SearchParams } from '@/server/ops/read/read.schema';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const range = rangeFromSearchParams(await searchParams);
  const caller = await getCaller();
  const replay = replaySlot(caller);
  // Its error surfaces where StartedSlot awaits it (the page's error boundary), not as an unhandled rejection meanwhile.
  replay.catch(() => undefined);
  return (
    <>
      <PageHeader title="Overview" description="Firing alarms, dead-letter queues, sagas and replays per region." />
      {/* Arrives rendered with its first data: no client fetch before the largest paint. */}
      <ServerData caller={caller} reads={[serverReads.overview(range)]}>
        <OverviewView
          range={range}
          actions={<StartedSlot slot={replay} />}
          role={caller?.role}
          names={displayNames(caller)}
        />
      </ServerData>
    </>
  );
}
