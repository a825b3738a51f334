import { LedgerEffect } from '@/components/sagas/ledger-effect';
import { AppLink } from '@/components/ui/app-link';
import { formatMoney } from '@/components/ui/format';
import type { Approval } from '@/server/approvals/approval.schema';
import type { CompensationApprovalPreview } from '@/server/ops/ops.schema';

/** A saga compensation's stored preview, or null when the request is of another kind or its preview is not one. */
export function compensationPreviewOf(a: Pick<Approval, 'action' | 'preview'>): CompensationApprovalPreview | null {
  if ((a.action !== 'saga.compensate' && a.action !== 'saga.resume') || !a.preview) return null;
  try {
    const p = JSON.parse(a.preview) as Partial<CompensationApprovalPreview>;
    return Array.isArray(p.actions) && typeof p.sagaId === 'string' ? (p as CompensationApprovalPreview) : null;
  } catch {
    return null;
  }
}

/**
 * What the approver approves, as the requester saw it: for a compensation the saga (linked),
 * its amount and the ledger-effect table of the saga page; for other actions the preview's data.
 */
export function ApprovalEffect({ a }: { a: Approval }) {
  const comp = compensationPreviewOf(a);
  if (!comp) {
    if (!a.preview) return null;
    return (
      <pre
        tabIndex={0}
        aria-label={`Preview of ${a.action}, as the requester saw it`}
        className="mt-2 max-h-48 overflow-auto rounded bg-surface p-2 text-xs"
      >
        {JSON.stringify(JSON.parse(a.preview), null, 2)}
      </pre>
    );
  }
  const saga = comp.saga;
  return (
    <div className="mt-2 flex flex-col gap-2">
      <p>
        <AppLink href={`/sagas/${encodeURIComponent(comp.sagaId)}`} className="text-accent underline">
          Open saga {comp.sagaId}
        </AppLink>
        {saga
          ? ` · transaction ${saga.transactionId} · ${formatMoney(saga.amount, saga.currency)} · ${saga.status} when requested`
          : null}
      </p>
      {saga?.status === 'SUCCEEDED' && a.action === 'saga.compensate' ? (
        <p role="note" className="rounded border border-warn/60 bg-warn/10 p-2">
          This reverses a completed payment: the saga had SUCCEEDED.
        </p>
      ) : null}
      <LedgerEffect preview={comp} currency={saga?.currency ?? null} />
    </div>
  );
}
