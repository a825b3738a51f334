'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '@/components/providers/api-client';
import type { SagaStatus } from '@/infra/saga/definition';
import type { SagaIntervention } from '@/server/ops/ops.schema';
import { sagaKeys } from './keys';

export function fetchInterventions(sagaId: string, signal?: AbortSignal): Promise<SagaIntervention[]> {
  return apiGet<SagaIntervention[]>(`/api/sagas/${encodeURIComponent(sagaId)}/interventions`, {}, signal);
}

/**
 * The saga's manual interventions (audit log). Not polled: keyed by the saga's status, so the
 * saga page's own poll re-reads them when an approved compensation moves the saga on, and an
 * operator's action invalidates them with the saga.
 */
export function interventionsQueryOptions(sagaId: string, status: SagaStatus) {
  return queryOptions({
    queryKey: sagaKeys.interventions(sagaId, status),
    queryFn: ({ signal }) => fetchInterventions(sagaId, signal),
    placeholderData: (previous) => previous,
  });
}

export function useInterventionsQuery(sagaId: string, status: SagaStatus) {
  return useQuery(interventionsQueryOptions(sagaId, status));
}
