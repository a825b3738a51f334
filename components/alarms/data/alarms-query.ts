'use client';

import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollInterval, pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import type { Alarm, AlarmState } from '@/server/platform/platform.schema';
import { alarmKeys } from './keys';

export function fetchAlarms(filters: { state?: AlarmState }, signal?: AbortSignal): Promise<Alarm[]> {
  return apiGet<Alarm[]>('/api/platform/alarms', { state: filters.state }, signal);
}

export function alarmsQueryOptions(filters: { state?: AlarmState }, { live }: { live: boolean }) {
  return queryOptions({
    queryKey: alarmKeys.list(filters),
    queryFn: ({ signal }) => fetchAlarms(filters, signal),
    refetchInterval: pollInterval(live, pollMs.list),
    placeholderData: keepPreviousData,
  });
}

export function useAlarmsQuery(filters: { state?: AlarmState }) {
  return useQuery(alarmsQueryOptions(filters, { live: useLiveEnabled() }));
}
