'use client';

import { useEffect, useEffectEvent, type Ref } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useLiveEnabled } from '@/components/live/live-context';
import { affectedBy, invalidate } from '@/components/providers/invalidate';
import { ActionError, secondaryButtonClass } from '@/components/ui/action-fields';
import { formatTime } from '@/components/ui/format';
import type { Approval } from '@/server/approvals/approval.schema';
import type { ActionOutcome } from '@/server/ops/ops.schema';
import { failureReason, isApprovalDecided, useApprovalQuery } from './data/approval-query';

export interface PendingApprovalProps {
  approvalId: string;
  expiresAt: string;
  /** Dismiss the notice (the request itself stays filed). */
  onClose: () => void;
  /** Called once when the request is decided: executed, rejected, expired or failed. */
  onDecided?: (approval: Approval) => void;
  /** The status line: focused after the request is filed. */
  ref?: Ref<HTMLParagraphElement>;
}

function statusLine(a: Approval | null | undefined, id: string, expiresAt: string): string {
  const by = (x: Approval) => `${x.decidedByName ?? 'an approver'} at ${formatTime(x.decidedAt)}`;
  switch (a?.status) {
    case undefined:
    case 'PENDING':
      return `Waiting for a second person's approval (request ${id}, expires ${formatTime(expiresAt)}).`;
    case 'APPROVED':
      return `Approved by ${by(a)}: running it now (request ${id}).`;
    case 'EXECUTED':
      return `Approved by ${by(a)} and executed (request ${id}).`;
    case 'REJECTED':
      return `Rejected by ${by(a)} (request ${id}): ${a.decisionComment ?? 'no comment given'}. Nothing was done.`;
    case 'EXPIRED':
      return `Request ${id} expired at ${formatTime(a.expiresAt)} without a decision. Nothing was done; request it again if it is still needed.`;
    case 'FAILED':
      return `Approved by ${by(a)}, but it failed (request ${id}): ${failureReason(a)}.`;
  }
}

const tone = (s: Approval['status'] | undefined) =>
  s === 'EXECUTED'
    ? 'border-ok bg-surface'
    : s === 'REJECTED' || s === 'EXPIRED' || s === 'FAILED'
      ? 'border-danger/60 bg-danger/10'
      : 'border-warn/60 bg-warn/10';

/**
 * A guarded action waiting for a second person: polls the request until it is decided, then
 * refreshes the views the action changed and says what happened (executed, or why not).
 */
export function PendingApproval({ approvalId, expiresAt, onClose, onDecided, ref }: PendingApprovalProps) {
  const client = useQueryClient();
  const live = useLiveEnabled();
  const query = useApprovalQuery(approvalId);
  const approval = query.data;
  const decided = approval && isApprovalDecided(approval.status) ? approval : null;

  // Once per decision (the status changes once; the object may change on every refetch).
  const decidedStatus = decided?.status;
  const onDecision = useEffectEvent(() => {
    if (!decided) return;
    void invalidate(client, affectedBy.approval);
    onDecided?.(decided);
  });
  useEffect(() => {
    if (decidedStatus) onDecision();
  }, [decidedStatus]);

  return (
    <div className={`flex flex-col gap-2 rounded border px-3 py-2 text-sm ${tone(approval?.status)}`}>
      <p role="status" tabIndex={-1} ref={ref}>
        {statusLine(approval, approvalId, expiresAt)}
      </p>
      {approval === null ? (
        <p>The console does not know this request (any more), so it no longer follows it: check the approvals page.</p>
      ) : null}
      <ActionError error={query.error} />
      <div className="flex flex-wrap items-center gap-3">
        <a className="underline" href="/approvals">
          Open approvals
        </a>
        {!live && !decided && approval !== null ? (
          <button
            type="button"
            className={secondaryButtonClass}
            disabled={query.isFetching}
            onClick={() => void query.refetch()}
          >
            Check now
          </button>
        ) : null}
        <button type="button" className={secondaryButtonClass} onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}

/** A write's outcome while it waits for a second person: the notice above; nothing once it started. */
export function PendingOutcome({
  outcome,
  ...props
}: Omit<PendingApprovalProps, 'approvalId' | 'expiresAt'> & { outcome: ActionOutcome<unknown> | undefined }) {
  if (outcome?.status !== 'pending_approval') return null;
  return <PendingApproval approvalId={outcome.approvalId} expiresAt={outcome.expiresAt} {...props} />;
}
