import type { Metadata } from 'next';
import { displayNames } from '@/app/(console)/_lib/display-names';
import { replaySlot } from '@/app/(console)/_lib/replay-slot';
import { ReplaysView } from '@/components/replays/replays-view';
import { PageHeader } from '@/components/ui/page-header';
import { getCaller } from '@/server/auth/session';
import { firstParam, type SearchParams } from '@/server/ops/read/read.schema';

export const metadata: Metadata = { title: 'Replays' };

export default async function ReplaysPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const caller = await getCaller();
  const replay = await replaySlot(caller);
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
        role={caller?.role}
        names={displayNames(caller)}
      />
    </>
  );
}
