'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollInterval, pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import type { DeadLetterIndexEntry, FailureClassSummary } from '@/server/platform/triage.schema';
import { queueKeys } from './keys';

export function fetchFailureClasses(id: string, signal?: AbortSignal): Promise<FailureClassSummary[]> {
  return apiGet<FailureClassSummary[]>(`/api/platform/queues/${encodeURIComponent(id)}/failure-classes`, {}, signal);
}

/** A DLQ's failure classes (failure index), most frequent first. */
export function failureClassesQueryOptions(id: string, { live }: { live: boolean }) {
  return queryOptions({
    queryKey: queueKeys.failureClasses(id),
    queryFn: ({ signal }) => fetchFailureClasses(id, signal),
    refetchInterval: pollInterval(live, pollMs.list),
  });
}

export function useFailureClassesQuery(id: string) {
  return useQuery(failureClassesQueryOptions(id, { live: useLiveEnabled() }));
}

export function fetchDeadLettersByTransaction(
  id: string,
  transactionId: string,
  signal?: AbortSignal,
): Promise<DeadLetterIndexEntry[]> {
  return apiGet<DeadLetterIndexEntry[]>(
    `/api/platform/queues/${encodeURIComponent(id)}/dead-letters/by-transaction`,
    { transactionId },
    signal,
  );
}

/** The DLQ's dead letters of one transaction, from the failure index (any depth: one query). */
export function useDeadLettersByTransactionQuery(id: string, transactionId: string | undefined) {
  return useQuery({
    queryKey: queueKeys.byTransaction(id, transactionId ?? ''),
    queryFn: ({ signal }) => fetchDeadLettersByTransaction(id, transactionId ?? '', signal),
    enabled: Boolean(transactionId),
  });
}
