'use client';

import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollInterval, pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import type { MetricSeries } from '@/server/platform/platform.schema';
import { queueKeys } from './keys';

export function fetchQueueSeries(id: string, range: '1h' | '24h', signal?: AbortSignal): Promise<MetricSeries[]> {
  return apiGet<MetricSeries[]>(`/api/platform/queues/${encodeURIComponent(id)}/series`, { range }, signal);
}

export function queueSeriesQueryOptions(id: string, range: '1h' | '24h', { live }: { live: boolean }) {
  return queryOptions({
    queryKey: queueKeys.series(id, range),
    queryFn: ({ signal }) => fetchQueueSeries(id, range, signal),
    // Points are per minute: polling faster than that only repeats the same data.
    refetchInterval: pollInterval(live, pollMs.slow),
    placeholderData: keepPreviousData,
  });
}

export function useQueueSeriesQuery(id: string, range: '1h' | '24h') {
  return useQuery(queueSeriesQueryOptions(id, range, { live: useLiveEnabled() }));
}
