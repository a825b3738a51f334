'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import type { SagaDetail, SagaStatus } from '@/server/platform/platform.schema';
import { sagaKeys } from './keys';

export const terminalSagaStates: readonly SagaStatus[] = ['SUCCEEDED', 'COMPENSATED', 'FAILED'];

export function fetchSaga(id: string, signal?: AbortSignal): Promise<SagaDetail> {
  return apiGet<SagaDetail>(`/api/platform/sagas/${encodeURIComponent(id)}`, {}, signal);
}

export function sagaQueryOptions(id: string, { live }: { live: boolean }) {
  return queryOptions({
    queryKey: sagaKeys.detail(id),
    queryFn: ({ signal }) => fetchSaga(id, signal),
    // Poll a running saga until it reaches a terminal state; an operator's compensation
    // invalidates this key, and the refetched (non-terminal) saga polls again.
    refetchInterval: (q) =>
      !live || (q.state.data && terminalSagaStates.includes(q.state.data.status)) ? false : pollMs.fast,
  });
}

export function useSagaQuery(id: string) {
  return useQuery(sagaQueryOptions(id, { live: useLiveEnabled() }));
}
