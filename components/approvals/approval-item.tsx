import type { Approval } from '@/server/approvals/approval.schema';
import type { Caller } from '@/server/auth/permissions.schema';
import { ApprovalDecision } from './approval-decision';
import { ApprovalEffect } from './approval-effect';
import { ApprovalOutcomeLine } from './approval-outcome';

const utc = (iso: string) => `${iso.replace('T', ' ').slice(0, 19)} UTC`;

/** One maker-checker request: what, who, why, the requester's preview, the decision and its outcome. */
export function ApprovalItem({ a, caller, mayDecide }: { a: Approval; caller: Caller; mayDecide: boolean }) {
  return (
    <li aria-label={`Approval ${a.id}`} className="rounded border border-border bg-surface-raised p-4 text-sm">
      <p className="font-semibold">
        {a.action} · {a.target} <span className="ml-2 rounded bg-border/50 px-1.5 py-0.5 text-xs">{a.status}</span>
      </p>
      <p className="mt-1">
        Requested by {a.requestedByName} ({a.requestedRole}) at {utc(a.requestedAt)} · expires {utc(a.expiresAt)}
      </p>
      <p className="mt-1">
        Reason: {a.reason} · Ticket: {a.ticket}
      </p>
      <ApprovalEffect a={a} />
      {a.decidedByName ? (
        <p className="mt-1">
          Decided by {a.decidedByName}
          {a.decidedAt ? ` at ${utc(a.decidedAt)}` : ''}
          {a.decisionComment ? `: ${a.decisionComment}` : ''}
        </p>
      ) : null}
      <ApprovalOutcomeLine approval={a} />
      {a.status === 'PENDING' && mayDecide && a.requestedBy !== caller.id ? (
        <div className="mt-3">
          <ApprovalDecision id={a.id} />
        </div>
      ) : null}
      {a.status === 'PENDING' && a.requestedBy === caller.id ? (
        <p className="mt-2 text-fg-muted">You requested this: another person must decide.</p>
      ) : null}
    </li>
  );
}
