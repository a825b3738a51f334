'use client';

import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollInterval, pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import type { Overview, RangeInput } from '@/server/ops/read/read.schema';
import { overviewKeys } from './keys';

export function fetchOverview(range: RangeInput, signal?: AbortSignal): Promise<Overview> {
  return apiGet<Overview>('/api/platform/overview', { range: range.range, from: range.from, to: range.to }, signal);
}

export function overviewQueryOptions(range: RangeInput, { live }: { live: boolean }) {
  return queryOptions({
    queryKey: overviewKeys.range(range),
    queryFn: ({ signal }) => fetchOverview(range, signal),
    refetchInterval: pollInterval(live, pollMs.overview, range.range === 'custom' ? range : undefined),
    // The page arrives with its first data (hydrated from the server): the next poll refreshes it.
    staleTime: pollMs.overview,
    placeholderData: keepPreviousData,
  });
}

export function useOverviewQuery(range: RangeInput) {
  return useQuery(overviewQueryOptions(range, { live: useLiveEnabled() }));
}
