'use client';

import { queryOptions, useQuery } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { pollMs } from '@/components/live/poll';
import { ApiError, apiGet } from '@/components/providers/api-client';
import type { Approval, ApprovalStatus } from '@/server/approvals/approval.schema';
import type { ActionOutcome } from '@/server/ops/ops.schema';
import { approvalKeys } from './keys';

/** Decided: nothing will change any more (APPROVED is the short moment while the action runs). */
export const decidedApprovalStates: readonly ApprovalStatus[] = ['EXECUTED', 'REJECTED', 'EXPIRED', 'FAILED'];
export const isApprovalDecided = (s: ApprovalStatus) => decidedApprovalStates.includes(s);

export const APPROVAL_POLL_MS = pollMs.overview;

/** One approval request (GET /api/approvals/[id]), or null when the console does not know it (404). */
export async function fetchApproval(id: string, signal?: AbortSignal): Promise<Approval | null> {
  try {
    return await apiGet<Approval>(`/api/approvals/${encodeURIComponent(id)}`, {}, signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** Poll while live and undecided; stop once decided, or when the request cannot be found. */
export function approvalPollInterval(approval: Approval | null | undefined, live: boolean): number | false {
  if (!live || approval === null) return false;
  if (approval && isApprovalDecided(approval.status)) return false;
  return APPROVAL_POLL_MS;
}

export function approvalQueryOptions(id: string, { live }: { live: boolean }) {
  return queryOptions({
    queryKey: approvalKeys.detail(id),
    queryFn: ({ signal }) => fetchApproval(id, signal),
    refetchInterval: (q) => approvalPollInterval(q.state.data, live),
    staleTime: 0,
  });
}

export function useApprovalQuery(id: string | null) {
  const live = useLiveEnabled();
  return useQuery({ ...approvalQueryOptions(id ?? '', { live }), enabled: id !== null });
}

/** The executed action's result (the started task, replay or saga), parsed; null if none. */
export function executedResult<T>(approval: Approval | null | undefined): T | null {
  if (approval?.status !== 'EXECUTED' || !approval.result) return null;
  return JSON.parse(approval.result) as T;
}

/** What a write started: at once, or (once a second person approved it) the executed action's result. */
export function useStartedResult<T>(outcome: ActionOutcome<T> | undefined): T | null {
  const approval = useApprovalQuery(outcome?.status === 'pending_approval' ? outcome.approvalId : null);
  return outcome?.status === 'started' ? outcome.result : executedResult<T>(approval.data);
}

/** Why an approved action failed, from its stored result ({ error, code }). */
export function failureReason(approval: Approval): string {
  if (!approval.result) return 'no reason recorded';
  try {
    const parsed = JSON.parse(approval.result) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : approval.result;
  } catch {
    return approval.result;
  }
}
