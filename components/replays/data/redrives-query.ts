'use client';

import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import type { Page, RedriveTask } from '@/server/platform/platform.schema';
import { redriveKeys } from './keys';
import { TASK_PAGE } from './replays-query';

const active: readonly RedriveTask['status'][] = ['RUNNING', 'CANCELLING'];

export function fetchRedrives(
  cursor: string | undefined,
  queueId: string | undefined,
  signal?: AbortSignal,
): Promise<Page<RedriveTask>> {
  return apiGet<Page<RedriveTask>>('/api/platform/redrives', { cursor, queueId, limit: TASK_PAGE }, signal);
}

export function redrivesQueryOptions(
  cursor: string | undefined,
  queueId: string | undefined,
  { live }: { live: boolean },
) {
  return queryOptions({
    queryKey: redriveKeys.list(cursor, queueId),
    queryFn: ({ signal }) => fetchRedrives(cursor, queueId, signal),
    refetchInterval: (q) =>
      !live ? false : q.state.data?.items.some((t) => active.includes(t.status)) ? pollMs.fast : pollMs.slow,
    placeholderData: keepPreviousData,
  });
}

export function useRedrivesQuery(cursor: string | undefined, queueId?: string, enabled = true) {
  return useQuery({ ...redrivesQueryOptions(cursor, queueId, { live: useLiveEnabled() }), enabled });
}
