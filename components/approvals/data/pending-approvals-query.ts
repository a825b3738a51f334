'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollInterval, pollMs } from '@/components/live/poll';
import { apiGet } from '@/components/providers/api-client';
import { can, type Role } from '@/infra/platform/roles';
import type { Approval } from '@/server/approvals/approval.schema';
import { approvalKeys, PENDING_LIMIT } from './keys';

export async function fetchPendingApprovals(signal?: AbortSignal): Promise<Approval[]> {
  const page = await apiGet<{ items: Approval[] }>(
    '/api/approvals',
    { status: 'PENDING', limit: PENDING_LIMIT },
    signal,
  );
  return page.items;
}

/** The requests waiting for this person: someone else's, and only for a role that may decide. */
export function waitingFor(items: readonly Approval[], caller: { id: string; role: Role }): Approval[] {
  if (!can(caller.role, 'approval.decide')) return [];
  return items.filter((a) => a.status === 'PENDING' && a.requestedBy !== caller.id);
}

export function pendingApprovalsQueryOptions({ live }: { live: boolean }) {
  return queryOptions({
    queryKey: approvalKeys.pending(),
    queryFn: ({ signal }) => fetchPendingApprovals(signal),
    refetchInterval: pollInterval(live, pollMs.list),
  });
}

export function usePendingApprovalsQuery(enabled: boolean) {
  return useQuery({ ...pendingApprovalsQueryOptions({ live: useLiveEnabled() }), enabled });
}
