import type { Metadata } from 'next';
import { LazyReplayAction } from '@/components/actions/lazy-actions';
import { can } from '@/server/auth/matrix.schema';
import { getCaller } from '@/server/auth/session';
import { listArchives } from '@/server/ops/read/replays';
import { OverviewView } from '@/components/overview/overview-view';
import { PageHeader } from '@/components/ui/page-header';
import { rangeFromSearchParams, type SearchParams } from '@/server/ops/read/read.schema';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const range = rangeFromSearchParams(await searchParams);
  const caller = await getCaller();
  const archive = caller && can(caller.role, 'archive.replay') ? (await listArchives(caller))[0] : undefined;
  const replay =
    caller && archive ? (
      <LazyReplayAction role={caller.role} archive={archive.name} ingestionLagSeconds={archive.ingestionLagSeconds} initialPreset="24h" />
    ) : null;
  return (
    <>
      <PageHeader title="Overview" description="Firing alarms, dead-letter queues, sagas and replays per region." />
      <OverviewView range={range} actions={replay} />
    </>
  );
}
