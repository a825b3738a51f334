'use client';

import { useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { newIdempotencyKey } from '@/components/providers/api-post';
import { ActionError, buttonClass, inputClass, secondaryButtonClass } from '@/components/ui/action-fields';
import type { Approval } from '@/server/approvals/approval.schema';
import { ApprovalOutcomeLine } from './approval-outcome';
import { useApprovalDecisionMutation } from './data/approval-decision-mutation';

type Decided = Pick<Approval, 'action' | 'status' | 'input' | 'result'>;

/** The decision route answers with the whole request (server/ops/approvals.ts decideApproval). */
function asDecided(data: { status: string }): Decided | null {
  const d = data as Partial<Record<keyof Decided, unknown>>;
  return typeof d.action === 'string' &&
    typeof d.input === 'string' &&
    (d.result === null || typeof d.result === 'string')
    ? (data as Decided)
    : null;
}

/** Approve (runs the action) or reject (with a comment) someone else's request. */
export function ApprovalDecision({ id }: { id: string }) {
  const [comment, setComment] = useState('');
  const key = useRef(newIdempotencyKey());
  const router = useRouter();
  const decide = useApprovalDecisionMutation(id);
  function run(decision: 'approve' | 'reject') {
    decide.mutate(
      { body: { decision, ...(comment ? { comment } : {}) }, idempotencyKey: `${key.current}-${decision}` },
      // The approvals list is server-rendered: re-render it with the new status.
      { onSuccess: () => router.refresh() },
    );
  }
  if (decide.data) {
    // Shown until the refreshed list renders the same outcome on the item itself.
    const decided = asDecided(decide.data);
    return (
      <div className="text-sm">
        <p role="status">Decision recorded: {decide.data.status.toLowerCase()}.</p>
        {decided ? <ApprovalOutcomeLine approval={decided} /> : null}
      </div>
    );
  }
  return (
    <div className="flex flex-wrap items-end gap-2">
      <label className="flex flex-col gap-1 text-sm">
        Comment
        <input className={inputClass} value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      <button type="button" className={buttonClass} disabled={decide.isPending} onClick={() => run('approve')}>
        Approve
      </button>
      <button type="button" className={secondaryButtonClass} disabled={decide.isPending} onClick={() => run('reject')}>
        Reject
      </button>
      <ActionError error={decide.error} />
    </div>
  );
}
