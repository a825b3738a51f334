'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '@/components/providers/api-client';
import type { RedriveTask } from '@/server/platform/platform.schema';
import { actionKeys } from './keys';

export interface RedriveStatus {
  task: RedriveTask;
  /** Set when the closed loop paused (cancelled) the redrive because the consumer's error alarm fired. */
  pause: { reason: string; remaining: number; at: string } | null;
}

export const STATUS_POLL_MS = 1_000;
export const isRedriveActive = (s: RedriveTask['status']) => s === 'RUNNING' || s === 'CANCELLING';

export function fetchRedriveStatus(id: string, signal?: AbortSignal): Promise<RedriveStatus> {
  return apiGet<RedriveStatus>(`/api/ops/redrives/${encodeURIComponent(id)}`, {}, signal);
}

/** A started redrive's progress (each poll also runs the server's closed-loop check); stops when it ends. */
export function redriveStatusQueryOptions(id: string) {
  return queryOptions({
    queryKey: actionKeys.redriveStatus(id),
    queryFn: ({ signal }) => fetchRedriveStatus(id, signal),
    refetchInterval: (q) => (q.state.data && !isRedriveActive(q.state.data.task.status) ? false : STATUS_POLL_MS),
    staleTime: 0,
  });
}

export function useRedriveStatusQuery(id: string | null) {
  return useQuery({ ...redriveStatusQueryOptions(id ?? ''), enabled: id !== null });
}
