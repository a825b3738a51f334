'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '@/components/providers/api-client';
import { STATUS_POLL_MS } from '@/components/queues/data/redrive-status-query';
import type { Replay } from '@/server/platform/platform.schema';
import { replayKeys } from './keys';

export const terminalReplayStates: readonly Replay['state'][] = ['COMPLETED', 'CANCELLED', 'FAILED'];

export function fetchReplay(name: string, signal?: AbortSignal): Promise<Replay> {
  return apiGet<Replay>(`/api/platform/replays/${encodeURIComponent(name)}`, {}, signal);
}

/** A started replay's progress; stops polling at a terminal state. */
export function replayStatusQueryOptions(name: string) {
  return queryOptions({
    queryKey: replayKeys.status(name),
    queryFn: ({ signal }) => fetchReplay(name, signal),
    refetchInterval: (q) =>
      q.state.data && terminalReplayStates.includes(q.state.data.state) ? false : STATUS_POLL_MS,
    staleTime: 0,
  });
}

export function useReplayStatusQuery(name: string | null) {
  return useQuery({ ...replayStatusQueryOptions(name ?? ''), enabled: name !== null });
}
