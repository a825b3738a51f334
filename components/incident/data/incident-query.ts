'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollInterval, pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import type { IncidentDetail } from '@/server/ops/read/incident.schema';
import { incidentKeys } from './keys';

export function fetchIncident(alarm: string, signal?: AbortSignal): Promise<IncidentDetail> {
  return apiGet<IncidentDetail>(`/api/platform/incident/${encodeURIComponent(alarm)}`, {}, signal);
}

export function incidentQueryOptions(alarm: string, { live }: { live: boolean }) {
  return queryOptions({
    queryKey: incidentKeys.alarm(alarm),
    queryFn: ({ signal }) => fetchIncident(alarm, signal),
    refetchInterval: pollInterval(live, pollMs.list),
  });
}

export function useIncidentQuery(alarm: string) {
  return useQuery(incidentQueryOptions(alarm, { live: useLiveEnabled() }));
}
