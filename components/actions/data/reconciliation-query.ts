'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import { pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import { terminalSagaStates } from '@/components/sagas/data/saga-query';
import type { Reconciliation } from './compensation-request-mutation';
import { actionKeys } from './keys';

export function fetchReconciliation(sagaId: string, signal?: AbortSignal): Promise<Reconciliation> {
  return apiGet<Reconciliation>(`/api/ops/sagas/${encodeURIComponent(sagaId)}/compensation`, {}, signal);
}

/** The saga's state and the ledger summary; polls while the saga still runs or compensates. */
export function reconciliationQueryOptions(sagaId: string) {
  return queryOptions({
    queryKey: actionKeys.reconciliation(sagaId),
    queryFn: ({ signal }) => fetchReconciliation(sagaId, signal),
    refetchInterval: (q) =>
      q.state.data && terminalSagaStates.includes(q.state.data.saga.status) ? false : pollMs.fast,
  });
}

export function useReconciliationQuery(sagaId: string, enabled: boolean) {
  return useQuery({ ...reconciliationQueryOptions(sagaId), enabled });
}
