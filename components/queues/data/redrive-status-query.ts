'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '@/components/providers/api-client';
import { redriveKeys } from '@/components/replays/data/keys';
import type { RedriveStatusResponse } from '@/server/ops/ops.schema';
import type { RedriveTask } from '@/server/platform/platform.schema';

export const STATUS_POLL_MS = 1_000;
export const isRedriveActive = (s: RedriveTask['status']) => s === 'RUNNING' || s === 'CANCELLING';

export function fetchRedriveStatus(id: string, signal?: AbortSignal): Promise<RedriveStatusResponse> {
  return apiGet<RedriveStatusResponse>(`/api/ops/redrives/${encodeURIComponent(id)}`, {}, signal);
}

/** A started redrive's progress (each poll also runs the server's closed-loop check); stops when it ends. */
export function redriveStatusQueryOptions(id: string) {
  return queryOptions({
    queryKey: redriveKeys.status(id),
    queryFn: ({ signal }) => fetchRedriveStatus(id, signal),
    refetchInterval: (q) => (q.state.data && !isRedriveActive(q.state.data.task.status) ? false : STATUS_POLL_MS),
    staleTime: 0,
  });
}

export function useRedriveStatusQuery(id: string | null) {
  return useQuery({ ...redriveStatusQueryOptions(id ?? ''), enabled: id !== null });
}
