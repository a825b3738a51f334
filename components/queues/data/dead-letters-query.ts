'use client';

import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollInterval, pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import type { DeadLetterMessage, Page } from '@/server/platform/platform.schema';
import { DEAD_LETTER_PAGE, queueKeys } from './keys';

export function fetchDeadLetters(
  id: string,
  filters: { search?: string; cursor?: string },
  signal?: AbortSignal,
): Promise<Page<DeadLetterMessage>> {
  return apiGet<Page<DeadLetterMessage>>(
    `/api/platform/queues/${encodeURIComponent(id)}/dead-letters`,
    { search: filters.search, cursor: filters.cursor, limit: DEAD_LETTER_PAGE },
    signal,
  );
}

export function deadLettersQueryOptions(
  id: string,
  filters: { search?: string; cursor?: string },
  { live }: { live: boolean },
) {
  return queryOptions({
    queryKey: queueKeys.deadLetters(id, filters),
    queryFn: ({ signal }) => fetchDeadLetters(id, filters, signal),
    // Only the first page moves under the operator's eyes; later pages stay put while read.
    refetchInterval: filters.cursor ? false : pollInterval(live, pollMs.list),
    placeholderData: keepPreviousData,
  });
}

export function useDeadLettersQuery(id: string, filters: { search?: string; cursor?: string }) {
  return useQuery(deadLettersQueryOptions(id, filters, { live: useLiveEnabled() }));
}
