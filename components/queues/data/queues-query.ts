'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollInterval, pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import type { QueuePair } from '@/server/platform/platform.schema';
import { queueKeys } from './keys';

export function fetchQueues(signal?: AbortSignal): Promise<QueuePair[]> {
  return apiGet<QueuePair[]>('/api/platform/queues', {}, signal);
}

export function queuesQueryOptions({ live }: { live: boolean }) {
  return queryOptions({
    queryKey: queueKeys.list(),
    queryFn: ({ signal }) => fetchQueues(signal),
    refetchInterval: pollInterval(live, pollMs.overview),
  });
}

export function useQueuesQuery() {
  return useQuery(queuesQueryOptions({ live: useLiveEnabled() }));
}
