'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import type { SagaStatus } from '@/infra/saga/definition';
import type { ReconciliationResponse } from '@/server/ops/ops.schema';
import { useCompensationWatch } from './compensation-watch';
import { sagaKeys } from './keys';

/**
 * The reconciliation re-reads the whole ledger (on AWS a full, strongly consistent DynamoDB
 * Scan): it is read once per page view, after an action (the action's invalidation) or on
 * demand, and polled only slowly, only while a compensation of this saga runs.
 */
export const RECONCILIATION_POLL_MS = pollMs.slow;

export function fetchReconciliation(sagaId: string, signal?: AbortSignal): Promise<ReconciliationResponse> {
  return apiGet<ReconciliationResponse>(`/api/ops/sagas/${encodeURIComponent(sagaId)}/compensation`, {}, signal);
}

export interface ReconciliationPolling {
  /** False while the operator paused live updates. */
  live: boolean;
  /** Until when (epoch ms) a compensation or resume of this saga is pending or just started here. */
  watchUntil: number;
}

/** A compensation is running: the saga compensates, or it runs again after a resume requested here. */
export function reconciliationPollInterval(
  status: SagaStatus | undefined,
  { live, watchUntil }: ReconciliationPolling,
  now: number,
): number | false {
  if (!live || !status) return false;
  if (status === 'COMPENSATING') return RECONCILIATION_POLL_MS;
  if (status === 'RUNNING' && now < watchUntil) return RECONCILIATION_POLL_MS;
  return false;
}

export function reconciliationQueryOptions(sagaId: string, polling: ReconciliationPolling) {
  return queryOptions({
    queryKey: sagaKeys.reconciliation(sagaId),
    queryFn: ({ signal }) => fetchReconciliation(sagaId, signal),
    // Remounts and window focus within this time reuse the last read instead of scanning again.
    staleTime: RECONCILIATION_POLL_MS,
    refetchInterval: (q) => reconciliationPollInterval(q.state.data?.saga.status, polling, Date.now()),
  });
}

export function useReconciliationQuery(sagaId: string, enabled: boolean) {
  const live = useLiveEnabled();
  const watchUntil = useCompensationWatch(sagaId);
  return useQuery({ ...reconciliationQueryOptions(sagaId, { live, watchUntil }), enabled });
}
