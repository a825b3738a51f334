'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollInterval, pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import type { AlarmDetail } from '@/server/ops/read/read.schema';
import { alarmKeys } from './keys';

export function fetchAlarm(name: string, signal?: AbortSignal): Promise<AlarmDetail> {
  return apiGet<AlarmDetail>(`/api/platform/alarms/${encodeURIComponent(name)}`, {}, signal);
}

export function alarmQueryOptions(name: string, { live }: { live: boolean }) {
  return queryOptions({
    queryKey: alarmKeys.detail(name),
    queryFn: ({ signal }) => fetchAlarm(name, signal),
    refetchInterval: pollInterval(live, pollMs.list),
  });
}

export function useAlarmQuery(name: string) {
  return useQuery(alarmQueryOptions(name, { live: useLiveEnabled() }));
}
