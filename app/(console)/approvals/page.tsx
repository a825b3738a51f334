import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { ApprovalDecision } from '@/components/approvals/approval-decision';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/server/auth/permissions.schema';
import { getCaller } from '@/server/auth/session';
import { listApprovals } from '@/server/ops/approvals';
import { getOpsContext } from '@/server/ops/context';

export const metadata: Metadata = { title: 'Approvals' };
export const dynamic = 'force-dynamic';

const utc = (iso: string) => `${iso.replace('T', ' ').slice(0, 19)} UTC`;

/** Maker-checker requests with the preview the requester saw; the requester can never decide their own. */
export default async function ApprovalsPage() {
  const caller = await getCaller();
  if (!caller) redirect('/sign-in?next=/approvals');
  const items = can(caller.role, 'audit.read') ? listApprovals(await getOpsContext(), { limit: 50 }) : [];
  const mayDecide = can(caller.role, 'approval.decide');
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Guarded actions wait here for a second person. The requester can never approve their own request."
      />
      {items.length === 0 ? (
        <p className="rounded border border-dashed border-border p-6 text-center text-sm text-fg-muted">
          No approval requests.
        </p>
      ) : null}
      <ul className="flex flex-col gap-3">
        {items.map((a) => (
          <li
            key={a.id}
            aria-label={`Approval ${a.id}`}
            className="rounded border border-border bg-surface-raised p-4 text-sm"
          >
            <p className="font-semibold">
              {a.action} · {a.target}{' '}
              <span className="ml-2 rounded bg-border/50 px-1.5 py-0.5 text-xs">{a.status}</span>
            </p>
            <p className="mt-1">
              Requested by {a.requestedByName} ({a.requestedRole}) at {utc(a.requestedAt)} · expires {utc(a.expiresAt)}
            </p>
            <p className="mt-1">
              Reason: {a.reason} · Ticket: {a.ticket}
            </p>
            {a.preview ? (
              <pre
                tabIndex={0}
                aria-label={`Preview of ${a.action}, as the requester saw it`}
                className="mt-2 max-h-48 overflow-auto rounded bg-surface p-2 text-xs"
              >
                {JSON.stringify(JSON.parse(a.preview), null, 2)}
              </pre>
            ) : null}
            {a.decidedByName ? (
              <p className="mt-1">
                Decided by {a.decidedByName}
                {a.decisionComment ? `: ${a.decisionComment}` : ''}
              </p>
            ) : null}
            {a.status === 'PENDING' && mayDecide && a.requestedBy !== caller.id ? (
              <div className="mt-3">
                <ApprovalDecision id={a.id} />
              </div>
            ) : null}
            {a.status === 'PENDING' && a.requestedBy === caller.id ? (
              <p className="mt-2 text-fg-muted">You requested this: another person must decide.</p>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}
