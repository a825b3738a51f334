'use client';

import { useState } from 'react';
import { PendingOutcome } from '@/components/approvals/pending-approval';
import { buttonClass, ReasonTicketFields, secondaryButtonClass } from '@/components/ui/action-fields';
import { ActionPanel, PanelButton, useActionRequest } from '@/components/ui/action-panel';
import { can, type Role } from '@/infra/platform/roles';
import type { Approval } from '@/server/approvals/approval.schema';
import type { CompensationMode } from '@/server/ops/ops.schema';
import type { CompensationPreview } from '@/server/platform/platform.schema';
import { useCompensationPreviewMutation } from './data/compensation-preview-mutation';
import { useCompensationRequestMutation } from './data/compensation-request-mutation';
import { COMPENSATION_WATCH_MS, endCompensationWatch, watchCompensation } from './data/compensation-watch';
import { money, Reconciliation } from './reconciliation';

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

/** Compensate (run the completed steps' compensations) or resume a saga: preview, then request (approval). */
export interface CompensateActionProps {
  role: Role;
  sagaId: string;
}

export function CompensateAction({ role, sagaId }: CompensateActionProps) {
  const [mode, setMode] = useState<CompensationMode>('compensate');
  const request = useActionRequest<'trigger' | 'status'>();
  const { focus, reason, ticket } = request;
  const preview = useCompensationPreviewMutation(sagaId);
  const compensation = useCompensationRequestMutation(sagaId);
  const outcome = compensation.data;
  if (!can(role, 'saga.compensate')) return null;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    compensation.mutate(
      { body: { mode, reason, ticket }, idempotencyKey: request.idempotencyKey() },
      {
        onSuccess: (o) => {
          // Keep the (FAILED) saga polling while the request waits, or briefly after it started.
          watchCompensation(
            sagaId,
            o.status === 'pending_approval' ? Date.parse(o.expiresAt) : Date.now() + COMPENSATION_WATCH_MS,
          );
          focus.focusNext('status');
        },
      },
    );
  }
  function decided(a: Approval) {
    if (a.status === 'EXECUTED') watchCompensation(sagaId, Date.now() + COMPENSATION_WATCH_MS);
    else endCompensationWatch(sagaId);
  }
  function close() {
    // The request stays filed (and watched until it expires or is decided); the form comes back.
    compensation.reset();
    preview.reset();
    request.renewKey();
    focus.focusNext('trigger');
  }

  return (
    <ActionPanel label="Compensate saga" error={preview.error ?? compensation.error}>
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
          // Registered only while enabled: a disabled button cannot take focus (see focus-handoff).
          ref={outcome ? undefined : focus.target('trigger')}
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
        <form onSubmit={submit} className="flex flex-col gap-2">
          <ReasonTicketFields {...request.fields} ticketRequired />
          <button type="submit" className={`${buttonClass} self-start`} disabled={compensation.isPending}>
            Request {mode}
          </button>
        </form>
      ) : null}
      <PendingOutcome outcome={outcome} ref={focus.target('status')} onClose={close} onDecided={decided} />
      {outcome?.status === 'started' ? (
        <div className="flex flex-col gap-2 text-sm">
          <p role="status" tabIndex={-1} ref={focus.target('status')}>
            {mode === 'compensate' ? 'Compensation' : 'Resume'} started: saga {outcome.result.saga.status}.
            {outcome.result.warning ? ` ${outcome.result.warning}` : ''}
          </p>
          <PanelButton onClick={close}>Close</PanelButton>
        </div>
      ) : null}
      <Reconciliation sagaId={sagaId} />
    </ActionPanel>
  );
}
