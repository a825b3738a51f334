'use client';

import type { ReactNode } from 'react';
import { LiveStatus } from '@/components/live/live-status';
import { useUrlState } from '@/components/live/use-url-state';
import type { DisplayNames } from '@/components/ui/display-name';
import { InlineError } from '@/components/ui/inline-error';
import { lazyLeaf } from '@/components/ui/lazy-leaf';
import { Pager } from '@/components/ui/pager';
import { Skeleton } from '@/components/ui/skeleton';
import type { Role } from '@/infra/platform/roles';
import { dataAsOf } from '@/server/platform/freshness.schema';
import { useRedrivesQuery } from './data/redrives-query';
import { useReplaysQuery } from './data/replays-query';

const RedrivesTable = lazyLeaf(() => import('./redrives-table').then((m) => m.RedrivesTable));
const ReplaysTable = lazyLeaf(() => import('./replays-table').then((m) => m.ReplaysTable));

export type ReplaysTab = 'replays' | 'redrives';

export interface ReplaysViewProps {
  tab: ReplaysTab;
  cursor?: string;
  /** Slot for the write side's controls (start a replay, cancel). Read side renders none. */
  actions?: ReactNode;
  /** The caller's role: active replays and redrives offer Cancel when it may cancel them. */
  role?: Role;
  /** Display names by user id (who started a replay or redrive); unknown ids show as they are. */
  names?: DisplayNames;
}

/** Replays and redrives, one tab each (tab and page in the URL). */
export function ReplaysView({ tab, cursor, actions, role, names }: ReplaysViewProps) {
  const { set } = useUrlState();
  const replays = useReplaysQuery(tab === 'replays' ? cursor : undefined, tab === 'replays');
  const redrives = useRedrivesQuery(tab === 'redrives' ? cursor : undefined, undefined, tab === 'redrives');
  const query = tab === 'replays' ? replays : redrives;
  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <div role="tablist" aria-label="Task kind" className="inline-flex gap-1">
          {(['replays', 'redrives'] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              id={`tab-${t}`}
              aria-selected={tab === t}
              aria-controls={`panel-${t}`}
              onClick={() => set({ tab: t === 'replays' ? null : t, cursor: null })}
              className="rounded-t border-b-2 border-transparent px-3 py-1 text-sm aria-selected:border-accent aria-selected:font-semibold"
            >
              {t === 'replays' ? 'Replays' : 'Redrives'}
            </button>
          ))}
        </div>
        <div className="flex items-center gap-3">
          {actions}
          <LiveStatus updatedAt={query.dataUpdatedAt} fetching={query.isFetching} dataAsOf={dataAsOf(query.data)} />
        </div>
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {query.isError ? <InlineError error={query.error} what={tab} onRetry={() => void query.refetch()} /> : null}
        {query.isPending ? <Skeleton rows={5} label={`Loading ${tab}`} /> : null}
        {tab === 'replays' && replays.data ? (
          <ReplaysTable items={replays.data.items} role={role} names={names} />
        ) : null}
        {tab === 'redrives' && redrives.data ? (
          <RedrivesTable items={redrives.data.items} role={role} names={names} />
        ) : null}
        {query.data ? (
          <Pager
            label={tab === 'replays' ? 'Replay' : 'Redrive'}
            cursor={cursor}
            nextCursor={query.data.nextCursor}
            onPage={(c) => set({ cursor: c })}
          />
        ) : null}
      </div>
    </div>
  );
}
