import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { ApprovalItem } from '@/components/approvals/approval-item';
import { ApprovalsLive } from '@/components/approvals/approvals-live';
import { AppLink } from '@/components/ui/app-link';
import { PageHeader } from '@/components/ui/page-header';
import { Section } from '@/components/ui/section';
import type { ApprovalsForReview } from '@/server/approvals/store';
import { can } from '@/server/auth/permissions.schema';
import { getCaller } from '@/server/auth/session';
import { listApprovalsForReview } from '@/server/ops/approvals';
import { firstParam, type SearchParams } from '@/server/ops/read/read.schema';
import { getOpsContext, opsFor } from '@/server/ops/server-context';

export const metadata: Metadata = { title: 'Approvals' };
export const dynamic = 'force-dynamic';

/** Settled requests shown per step of "Show more" (every waiting one is always shown). */
const DECIDED_PAGE = 50;
const DECIDED_MAX = 1_000;

/** `?decided=N`: how many settled requests to show, in steps of DECIDED_PAGE. */
function decidedLimitOf(sp: SearchParams): number {
  const n = Number(firstParam(sp, 'decided'));
  if (!Number.isInteger(n) || n < DECIDED_PAGE) return DECIDED_PAGE;
  return Math.min(DECIDED_MAX, Math.ceil(n / DECIDED_PAGE) * DECIDED_PAGE);
}

const nothing: ApprovalsForReview = { pending: [], decided: [], moreDecided: false };

/**
 * Maker-checker requests: every one still waiting (soonest expiry first), then the most recent
 * settled ones with their outcome. Re-rendered every 10 s while live updates are on. The requester
 * can never decide their own.
 */
export default async function ApprovalsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const caller = await getCaller();
  if (!caller) redirect('/sign-in?next=/approvals');
  const decidedLimit = decidedLimitOf(await searchParams);
  const ops = await opsFor(caller, 'audit.read');
  const now = (ops ?? (await getOpsContext())).now();
  const { pending, decided, moreDecided } = ops ? await listApprovalsForReview(ops, decidedLimit) : nothing;
  const mayDecide = can(caller.role, 'approval.decide');
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Guarded actions wait here for a second person. The requester can never approve their own request."
        actions={<ApprovalsLive renderedAt={now} />}
      />
      <Section title={`Waiting for a decision (${pending.length})`} id="approvals-pending">
        {pending.length === 0 ? (
          <p className="rounded border border-dashed border-border p-6 text-center text-sm text-fg-muted">
            No request is waiting for a decision.
          </p>
        ) : (
          <ul aria-label="Requests waiting for a decision" className="flex flex-col gap-3">
            {pending.map((a) => (
              <ApprovalItem key={a.id} a={a} caller={caller} mayDecide={mayDecide} />
            ))}
          </ul>
        )}
      </Section>
      <Section title="Decided, failed or expired" id="approvals-decided">
        {decided.length === 0 ? (
          <p className="rounded border border-dashed border-border p-6 text-center text-sm text-fg-muted">
            No settled approval requests.
          </p>
        ) : (
          <ul aria-label="Settled requests" className="flex flex-col gap-3">
            {decided.map((a) => (
              <ApprovalItem key={a.id} a={a} caller={caller} mayDecide={mayDecide} />
            ))}
          </ul>
        )}
        {moreDecided && decidedLimit < DECIDED_MAX ? (
          <AppLink
            href={`/approvals?decided=${decidedLimit + DECIDED_PAGE}`}
            className="mt-3 inline-block text-sm underline"
          >
            Show {DECIDED_PAGE} older requests
          </AppLink>
        ) : null}
      </Section>
    </>
  );
}
