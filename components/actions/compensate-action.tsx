'use client';

import { useRef, useState } from 'react';
import {
  COMPENSATION_WATCH_MS,
  endCompensationWatch,
  watchCompensation,
} from '@/components/sagas/data/compensation-watch';
import { useFocusHandoff } from '@/components/ui/focus-handoff';
import { can, type Role } from '@/infra/platform/roles';
import type { Approval } from '@/server/approvals/approval.schema';
import type { CompensationPreview } from '@/server/platform/platform.schema';
import { newIdempotencyKey } from './api';
import { useCompensationPreviewMutation, type CompensationMode } from './data/compensation-preview-mutation';
import { useCompensationRequestMutation } from './data/compensation-request-mutation';
import { ActionError, buttonClass, ReasonTicketFields, secondaryButtonClass } from './fields';
import { PendingApproval } from './pending-approval';
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
  const [reason, setReason] = useState('');
  const [ticket, setTicket] = useState('');
  const key = useRef(newIdempotencyKey());
  const focus = useFocusHandoff<'trigger' | 'status'>();
  const preview = useCompensationPreviewMutation(sagaId);
  const request = useCompensationRequestMutation(sagaId);
  const outcome = request.data;
  if (!can(role, 'saga.compensate')) return null;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    request.mutate(
      { body: { mode, reason, ticket }, idempotencyKey: key.current },
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
    request.reset();
    preview.reset();
    key.current = newIdempotencyKey();
    focus.focusNext('trigger');
  }

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
        <PendingApproval
          ref={focus.target('status')}
          approvalId={outcome.approvalId}
          expiresAt={outcome.expiresAt}
          onClose={close}
          onDecided={decided}
        />
      ) : null}
      {outcome?.status === 'started' ? (
        <div className="flex flex-col gap-2 text-sm">
          <p role="status" tabIndex={-1} ref={focus.target('status')}>
            {mode === 'compensate' ? 'Compensation' : 'Resume'} started: saga {outcome.result.saga.status}.
            {outcome.result.warning ? ` ${outcome.result.warning}` : ''}
          </p>
          <button type="button" className={`${secondaryButtonClass} self-start`} onClick={close}>
            Close
          </button>
        </div>
      ) : null}
      <Reconciliation sagaId={sagaId} />
      <ActionError error={preview.error ?? request.error} />
    </section>
  );
}
