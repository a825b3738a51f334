'use client';

import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollInterval, pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import type { SagasRouteInput } from '@/server/ops/read/read.schema';
import type { Page, SagaSummary } from '@/server/platform/platform.schema';
import { SAGA_PAGE, sagaKeys } from './keys';

export function fetchSagas(f: SagasRouteInput, signal?: AbortSignal): Promise<Page<SagaSummary>> {
  return apiGet<Page<SagaSummary>>('/api/platform/sagas', { ...f, limit: SAGA_PAGE }, signal);
}

export function sagasQueryOptions(f: SagasRouteInput, { live }: { live: boolean }) {
  return queryOptions({
    queryKey: sagaKeys.list(f),
    queryFn: ({ signal }) => fetchSagas(f, signal),
    // The first page of a live range moves; later pages and past custom windows stay put.
    refetchInterval: f.cursor ? false : pollInterval(live, pollMs.list, f.range === 'custom' ? f : undefined),
    placeholderData: keepPreviousData,
  });
}

export function useSagasQuery(f: SagasRouteInput) {
  return useQuery(sagasQueryOptions(f, { live: useLiveEnabled() }));
}
