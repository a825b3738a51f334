'use client';

import { useRef, useState, type ReactNode, type Ref } from 'react';
import { newIdempotencyKey } from '@/components/providers/api-post';
import { ActionError, secondaryButtonClass } from './action-fields';
import { useFocusHandoff } from './focus-handoff';
import { ProgressBar } from './progress-bar';

/**
 * The skeleton the operator action panels (redrive, replay, compensate) share: the request's
 * reason and ticket, its Idempotency-Key (stable per intent, renewed when the form comes back),
 * the focus handoff between trigger, form and status line, and the panel's frame.
 */
export function useActionRequest<Name extends string>() {
  const [reason, setReason] = useState('');
  const [ticket, setTicket] = useState('');
  const key = useRef(newIdempotencyKey());
  const focus = useFocusHandoff<Name>();
  return {
    reason,
    ticket,
    /** Props of ReasonTicketFields (add `ticketRequired`). */
    fields: { reason, ticket, onReason: setReason, onTicket: setTicket },
    focus,
    idempotencyKey: () => key.current,
    renewKey: () => {
      key.current = newIdempotencyKey();
    },
  };
}

/** The panel's frame: a labelled region, its content, then the failed request or poll, if any. */
export function ActionPanel({ label, error, children }: { label: string; error: unknown; children: ReactNode }) {
  return (
    <section aria-label={label} className="flex flex-col gap-3 rounded border border-border bg-surface-raised p-4">
      {children}
      <ActionError error={error} />
    </section>
  );
}

export interface TaskProgressProps {
  /** The status line; focused when the task was started from this panel. */
  line: ReactNode;
  statusRef?: Ref<HTMLParagraphElement>;
  value: number;
  total: number | null;
  label: string;
  children?: ReactNode;
}

/** A started task's live status line and progress bar, then its controls (cancel, close). */
export function TaskProgress({ line, statusRef, value, total, label, children }: TaskProgressProps) {
  return (
    <div className="flex flex-col gap-2">
      <p role="status" tabIndex={-1} ref={statusRef} className="text-sm">
        {line}
      </p>
      <ProgressBar value={value} total={total} label={label} />
      {children}
    </div>
  );
}

/** A secondary button under the form or status line (Close, Cancel …). */
export function PanelButton({
  onClick,
  disabled,
  children,
}: {
  onClick: () => void;
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <button type="button" className={`${secondaryButtonClass} self-start`} disabled={disabled} onClick={onClick}>
      {children}
    </button>
  );
}
