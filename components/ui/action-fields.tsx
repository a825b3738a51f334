'use client';

import { useId } from 'react';
import { ApiError } from '@/components/providers/api-client';

const input = 'rounded border border-border bg-surface px-2 py-1.5 text-sm text-fg';

/** The reason every operator action is audited with (3 to 500 characters). */
export function ReasonField({
  value,
  onChange,
  className,
}: {
  value: string;
  onChange: (v: string) => void;
  className?: string;
}) {
  const id = useId();
  return (
    <label htmlFor={`${id}-reason`} className={`flex flex-col gap-1 ${className ?? ''}`}>
      <span className="font-medium">Reason</span>
      <input
        id={`${id}-reason`}
        className={input}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required
        minLength={3}
        maxLength={500}
      />
    </label>
  );
}

export function ReasonTicketFields({
  reason,
  ticket,
  onReason,
  onTicket,
  ticketRequired,
}: {
  reason: string;
  ticket: string;
  onReason: (v: string) => void;
  onTicket: (v: string) => void;
  ticketRequired: boolean;
}) {
  const id = useId();
  return (
    <div className="grid gap-2 sm:grid-cols-[1fr_12rem]">
      <ReasonField value={reason} onChange={onReason} className="text-sm" />
      <label htmlFor={`${id}-ticket`} className="flex flex-col gap-1 text-sm">
        <span className="font-medium">Ticket{ticketRequired ? '' : ' (optional)'}</span>
        <input
          id={`${id}-ticket`}
          className={input}
          value={ticket}
          onChange={(e) => onTicket(e.target.value)}
          placeholder="INC-1234"
          required={ticketRequired}
        />
      </label>
    </div>
  );
}

/** A failed mutation or poll, with the field it names and the request id to quote. */
export function ActionError({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  return (
    <p role="alert" className="rounded border border-danger/60 bg-danger/10 px-3 py-2 text-sm">
      {e ? e.message : error instanceof Error ? error.message : 'Something went wrong'}
      {e?.requestId ? <span className="ml-2 text-xs text-fg-muted">request {e.requestId}</span> : null}
    </p>
  );
}

export const buttonClass =
  'rounded bg-accent px-3 py-1.5 text-sm font-semibold text-surface hover:opacity-90 disabled:opacity-50';
export const secondaryButtonClass =
  'rounded border border-border px-3 py-1.5 text-sm hover:bg-border/40 disabled:opacity-50';
export const inputClass = input;
