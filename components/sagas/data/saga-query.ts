'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import type { SagaStatus } from '@/infra/saga/definition';
import type { SagaDetail } from '@/server/platform/platform.schema';
import { useCompensationWatch } from './compensation-watch';
import { sagaKeys } from './keys';

export const terminalSagaStates: readonly SagaStatus[] = ['SUCCEEDED', 'COMPENSATED', 'FAILED'];

export function fetchSaga(id: string, signal?: AbortSignal): Promise<SagaDetail> {
  return apiGet<SagaDetail>(`/api/platform/sagas/${encodeURIComponent(id)}`, {}, signal);
}

export interface SagaPolling {
  /** False while the operator paused live updates. */
  live: boolean;
  /** Until when (epoch ms) a compensation of this saga is pending or just started here (compensation-watch). */
  watchUntil?: number;
}

/**
 * Poll a running saga until it reaches a terminal state. A FAILED saga with a compensation
 * pending or just started keeps polling (slower) until the watch ends, so the approved
 * compensation (FAILED → COMPENSATING) appears without a reload.
 */
export function sagaPollInterval(
  status: SagaStatus | undefined,
  { live, watchUntil = 0 }: SagaPolling,
  now: number,
): number | false {
  if (!live) return false;
  if (!status || !terminalSagaStates.includes(status)) return pollMs.fast;
  if (status === 'FAILED' && now < watchUntil) return pollMs.list;
  return false;
}

export function sagaQueryOptions(id: string, polling: SagaPolling) {
  return queryOptions({
    queryKey: sagaKeys.detail(id),
    queryFn: ({ signal }) => fetchSaga(id, signal),
    refetchInterval: (q) => sagaPollInterval(q.state.data?.status, polling, Date.now()),
  });
}

export function useSagaQuery(id: string) {
  const live = useLiveEnabled();
  const watchUntil = useCompensationWatch(id);
  return useQuery(sagaQueryOptions(id, { live, watchUntil }));
}
