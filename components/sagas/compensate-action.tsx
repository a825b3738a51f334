'use client';

import { useState } from 'react';
import { PendingOutcome } from '@/components/approvals/pending-approval';
import { buttonClass, ReasonTicketFields, secondaryButtonClass } from '@/components/ui/action-fields';
import { ActionPanel, PanelButton, useActionRequest } from '@/components/ui/action-panel';
import { formatMoney } from '@/components/ui/format';
import { can, type Role } from '@/infra/platform/roles';
import type { Approval } from '@/server/approvals/approval.schema';
import type { CompensationMode } from '@/server/ops/ops.schema';
import type { SagaDetail } from '@/server/platform/platform.schema';
import { useCompensationPreviewMutation } from './data/compensation-preview-mutation';
import { useCompensationRequestMutation } from './data/compensation-request-mutation';
import { COMPENSATION_WATCH_MS, endCompensationWatch, watchCompensation } from './data/compensation-watch';
import { useSagaQuery } from './data/saga-query';
import { LedgerEffect } from './ledger-effect';
import { Reconciliation } from './reconciliation';
import { sagaActionsFor } from './saga-state';

const verb = (m: CompensationMode) => (m === 'compensate' ? 'Compensation' : 'Resume');

/** Compensate or resume a saga, as its current state allows: the preview opens at once, then the request (approval). */
export interface CompensateActionProps {
  role: Role;
  sagaId: string;
}

export function CompensateAction({ role, sagaId }: CompensateActionProps) {
  const saga = useSagaQuery(sagaId).data;
  if (!can(role, 'saga.compensate') || !saga) return null;
  return <SagaActionPanel saga={saga} />;
}

/** The panel for a saga as read now (exported for its tests). */
export function SagaActionPanel({ saga }: { saga: SagaDetail }) {
  const sagaId = saga.id;
  const offered = sagaActionsFor(saga.status);
  const [mode, setMode] = useState<CompensationMode | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const request = useActionRequest<'trigger' | 'preview' | 'status'>();
  const { focus, reason, ticket } = request;
  const preview = useCompensationPreviewMutation(sagaId);
  const compensation = useCompensationRequestMutation(sagaId);
  const outcome = compensation.data;
  const reversal = offered.compensate === 'confirm';
  // The saga may have moved on (someone else compensated it) while a preview was open.
  const stillOffered = mode === 'compensate' ? offered.compensate !== 'none' : mode === 'resume' && offered.resume;

  function open(m: CompensationMode) {
    setMode(m);
    preview.mutate(m);
    focus.focusNext('preview');
  }
  function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!mode) return;
    const body = {
      mode,
      reason,
      ticket,
      ...(mode === 'compensate' && reversal ? { reverseCompleted: confirmed } : {}),
    };
    compensation.mutate(
      { body, idempotencyKey: request.idempotencyKey() },
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
    // A filed request stays filed (and watched until it expires or is decided); the triggers come back.
    compensation.reset();
    preview.reset();
    setMode(null);
    request.renewKey();
    focus.focusNext('trigger');
  }

  const blocked = reversal && !confirmed;
  return (
    <ActionPanel label="Compensate saga" error={preview.error ?? compensation.error}>
      {!mode && !outcome ? (
        <div className="flex flex-col gap-2">
          {offered.compensate === 'none' && !offered.resume ? (
            // Takes the focus back after Close when the saga has since been compensated.
            <p ref={focus.target('trigger')} tabIndex={-1} className="text-sm">
              Compensated: nothing is left to undo.
            </p>
          ) : null}
          {offered.compensate === 'none' && offered.resume ? (
            <p className="text-sm">Compensating already: resume only runs a waiting retry now.</p>
          ) : null}
          {reversal ? (
            <label className="flex items-start gap-2 rounded border border-warn/60 bg-warn/10 p-2 text-sm">
              <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />
              <span>
                Reverse a completed payment: this saga SUCCEEDED, so compensating it refunds{' '}
                {formatMoney(saga.amount, saga.currency)} of transaction {saga.transactionId}.
              </span>
            </label>
          ) : null}
          <div className="flex flex-wrap gap-2">
            {offered.compensate !== 'none' ? (
              <button
                // Registered only while enabled: a disabled button cannot take focus (see focus-handoff).
                ref={blocked ? undefined : focus.target('trigger')}
                type="button"
                className={buttonClass}
                disabled={blocked}
                onClick={() => open('compensate')}
              >
                Compensate<span className="sr-only">: preview ledger effect</span>
              </button>
            ) : null}
            {offered.resume ? (
              <button
                ref={offered.compensate === 'none' ? focus.target('trigger') : undefined}
                type="button"
                className={secondaryButtonClass}
                onClick={() => open('resume')}
              >
                Resume<span className="sr-only">: preview its effect</span>
              </button>
            ) : null}
          </div>
        </div>
      ) : null}
      {mode && !outcome ? (
        <div
          ref={focus.target('preview')}
          tabIndex={-1}
          role="group"
          aria-label={`${verb(mode)} preview`}
          className="flex flex-col gap-2 outline-none"
        >
          {preview.isPending ? <p role="status">Reading the ledger effect…</p> : null}
          {preview.data ? <LedgerEffect preview={preview.data} currency={saga.currency} /> : null}
          {preview.data && stillOffered ? (
            <form onSubmit={submit} className="flex flex-col gap-2">
              <ReasonTicketFields {...request.fields} ticketRequired />
              <button type="submit" className={`${buttonClass} self-start`} disabled={compensation.isPending}>
                Request {mode}
              </button>
            </form>
          ) : null}
          {!stillOffered ? <p className="text-sm">The saga is {saga.status} now: this is no longer offered.</p> : null}
          <PanelButton onClick={close}>Cancel</PanelButton>
        </div>
      ) : null}
      <PendingOutcome outcome={outcome} ref={focus.target('status')} onClose={close} onDecided={decided} />
      {outcome?.status === 'started' && mode ? (
        <div className="flex flex-col gap-2 text-sm">
          <p role="status" tabIndex={-1} ref={focus.target('status')}>
            {verb(mode)} started: saga {outcome.result.saga.status}.
            {outcome.result.warning ? ` ${outcome.result.warning}` : ''}
          </p>
          <PanelButton onClick={close}>Close</PanelButton>
        </div>
      ) : null}
      <Reconciliation sagaId={sagaId} />
    </ActionPanel>
  );
}
