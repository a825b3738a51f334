import type { Metadata } from 'next';
import { LazyReplayAction } from '@/components/actions/lazy-actions';
import { can } from '@/server/auth/matrix.schema';
import { getCaller } from '@/server/auth/session';
import { listArchives } from '@/server/ops/read/replays';
import { ReplaysView } from '@/components/replays/replays-view';
import { PageHeader } from '@/components/ui/page-header';
import { firstParam, type SearchParams } from '@/server/ops/read/read.schema';

export const metadata: Metadata = { title: 'Replays' };

export default async function ReplaysPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const caller = await getCaller();
  const archive = caller && can(caller.role, 'archive.replay') ? (await listArchives(caller))[0] : undefined;
  const replay =
    caller && archive ? (
      <LazyReplayAction role={caller.role} archive={archive.name} ingestionLagSeconds={archive.ingestionLagSeconds} initialPreset="24h" />
    ) : null;
  return (
    <>
      <PageHeader
        title="Replays"
        description="Archive replays and dead-letter redrives: state, window or source, progress, who started them."
      />
      <ReplaysView
        tab={firstParam(sp, 'tab') === 'redrives' ? 'redrives' : 'replays'}
        cursor={firstParam(sp, 'cursor') || undefined}
        actions={replay}
      />
    </>
  );
}
