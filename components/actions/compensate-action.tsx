'use client';

import { useRef, useState } from 'react';
import { can, type Role } from '@/server/auth/matrix.schema';
import type { CompensationPreview } from '@/server/platform/platform.schema';
import { newIdempotencyKey } from './api';
import { useCompensationPreviewMutation, type CompensationMode } from './data/compensation-preview-mutation';
import { useCompensationRequestMutation } from './data/compensation-request-mutation';
import { useReconciliationQuery } from './data/reconciliation-query';
import { ActionError, buttonClass, PendingApproval, ReasonTicketFields, secondaryButtonClass } from './fields';

const money = (minor: number) => (minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });

function LedgerEffect({ preview }: { preview: CompensationPreview }) {
  return (
    <table className="text-sm">
      <caption className="text-left font-medium">Ledger effect</caption>
      <thead>
        <tr className="text-left text-fg-muted">
          <th>Compensation</th>
          <th>Effect</th>
          <th>Account</th>
          <th className="text-right">Amount</th>
        </tr>
      </thead>
      <tbody>
        {preview.actions.length === 0 ? (
          <tr>
            <td colSpan={4}>No compensation to run: the saga resumes from its failed step.</td>
          </tr>
        ) : null}
        {preview.actions.map((a) => (
          <tr key={a.compensation}>
            <td>{a.compensation}</td>
            <td>{a.description}</td>
            <td>{a.account ?? '—'}</td>
            <td className="text-right tabular-nums">{money(a.amount)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The saga's state and the ledger's balance after an operator action (polls while it runs). */
export function Reconciliation({ sagaId }: { sagaId: string }) {
  const query = useReconciliationQuery(sagaId, true);
  if (!query.data) return <ActionError error={query.error} />;
  const { saga, reconciliation: r } = query.data;
  return (
    <p role="status" aria-label="Reconciliation" className="rounded border border-border px-3 py-2 text-sm">
      Saga {saga.status}. Ledger {r.balanced ? 'balanced' : 'NOT balanced'}: total {money(r.totalBalance)} of{' '}
      {money(r.expectedTotal)} expected across {r.accounts} accounts; {r.openHolds} open holds ({money(r.heldAmount)}).
    </p>
  );
}

/** Compensate (run the completed steps' compensations) or resume a saga: preview, then request (approval). */
export interface CompensateActionProps {
  role: Role;
  sagaId: string;
}

export function CompensateAction({ role, sagaId }: CompensateActionProps) {
  const [mode, setMode] = useState<CompensationMode>('compensate');
  const [reason, setReason] = useState('');
  const [ticket, setTicket] = useState('');
  const key = useRef(newIdempotencyKey());
  const preview = useCompensationPreviewMutation(sagaId);
  const request = useCompensationRequestMutation(sagaId);
  const outcome = request.data;
  if (!can(role, 'saga.compensate')) return null;

  return (
    <section
      aria-label="Compensate saga"
      className="flex flex-col gap-3 rounded border border-border bg-surface-raised p-4"
    >
      <div className="flex gap-2" role="group" aria-label="Mode">
        {(['compensate', 'resume'] as const).map((m) => (
          <button
            key={m}
            type="button"
            aria-pressed={mode === m}
            className={mode === m ? buttonClass : secondaryButtonClass}
            onClick={() => {
              setMode(m);
              preview.reset();
            }}
            disabled={!!outcome}
          >
            {m === 'compensate' ? 'Compensate' : 'Resume'}
          </button>
        ))}
        <button
          type="button"
          className={secondaryButtonClass}
          disabled={preview.isPending || !!outcome}
          onClick={() => preview.mutate(mode)}
        >
          Preview ledger effect
        </button>
      </div>
      {preview.data ? <LedgerEffect preview={preview.data} /> : null}
      {preview.data && !outcome ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            request.mutate({ body: { mode, reason, ticket }, idempotencyKey: key.current });
          }}
          className="flex flex-col gap-2"
        >
          <ReasonTicketFields
            reason={reason}
            ticket={ticket}
            onReason={setReason}
            onTicket={setTicket}
            ticketRequired
          />
          <button type="submit" className={`${buttonClass} self-start`} disabled={request.isPending}>
            Request {mode}
          </button>
        </form>
      ) : null}
      {outcome?.status === 'pending_approval' ? (
        <PendingApproval approvalId={outcome.approvalId} expiresAt={outcome.expiresAt} />
      ) : null}
      <Reconciliation sagaId={sagaId} />
      <ActionError error={preview.error ?? request.error} />
    </section>
  );
}
