'use client';

import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import type { Page, Replay } from '@/server/platform/platform.schema';
import { replayKeys } from './keys';

export const TASK_PAGE = 25;
const active: readonly Replay['state'][] = ['STARTING', 'RUNNING', 'CANCELLING'];

export function fetchReplays(cursor: string | undefined, signal?: AbortSignal): Promise<Page<Replay>> {
  return apiGet<Page<Replay>>('/api/platform/replays', { cursor, limit: TASK_PAGE }, signal);
}

export function replaysQueryOptions(cursor: string | undefined, { live }: { live: boolean }) {
  return queryOptions({
    queryKey: replayKeys.list(cursor),
    queryFn: ({ signal }) => fetchReplays(cursor, signal),
    // Fast while a replay on the page runs; once all are finished, only look for new ones.
    refetchInterval: (q) =>
      !live ? false : q.state.data?.items.some((r) => active.includes(r.state)) ? pollMs.fast : pollMs.slow,
    placeholderData: keepPreviousData,
  });
}

export function useReplaysQuery(cursor: string | undefined, enabled = true) {
  return useQuery({ ...replaysQueryOptions(cursor, { live: useLiveEnabled() }), enabled });
}
