'use client';

import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ProgressBar } from '@/components/ui/progress-bar';
import { can, type Role } from '@/server/auth/matrix.schema';
import { newIdempotencyKey } from './api';
import { affectedBy, invalidate } from './data/invalidate';
import { useRedriveCancelMutation } from './data/redrive-cancel-mutation';
import { useRedriveStartMutation } from './data/redrive-start-mutation';
import { isRedriveActive, useRedriveStatusQuery } from './data/redrive-status-query';
import { MAX_REDRIVE_RATE } from './data/replay-window';
import {
  ActionError,
  buttonClass,
  inputClass,
  PendingApproval,
  ReasonTicketFields,
  secondaryButtonClass,
} from './fields';

export interface RedriveActionProps {
  role: Role;
  queueId: string;
  depth: number;
  messageIds?: string[];
  /** Show the form straight away (next to a firing DLQ alarm): one click less. */
  defaultOpen?: boolean;
}

/**
 * Redrive a DLQ back to its source queue: all messages or the selected ones, optional rate,
 * then live progress, cancel, and the closed loop's pause (with "Resume remaining"). Rendered
 * only for roles the permission matrix allows.
 */
export function RedriveAction({ role, queueId, depth, messageIds, defaultOpen = false }: RedriveActionProps) {
  const [open, setOpen] = useState(defaultOpen);
  const [rate, setRate] = useState('');
  const [reason, setReason] = useState('');
  const [ticket, setTicket] = useState('');
  const key = useRef(newIdempotencyKey());
  const client = useQueryClient();
  const start = useRedriveStartMutation();
  const cancel = useRedriveCancelMutation();
  const outcome = start.data;
  const taskId = outcome?.status === 'started' ? outcome.result.id : null;
  const status = useRedriveStatusQuery(taskId);
  const current = status.data?.task ?? (outcome?.status === 'started' ? outcome.result : null);
  const ended = current ? !isRedriveActive(current.status) : false;

  // When the task ends, the read side's depths, alarms and task lists change: refresh them now.
  useEffect(() => {
    if (ended) void invalidate(client, affectedBy.redrive);
  }, [ended, client]);

  if (!can(role, 'queue.redrive')) return null;
  const count = messageIds?.length ?? depth;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const body = {
      queueId,
      reason,
      ...(rate ? { rate: Number(rate) } : {}),
      ...(ticket ? { ticket } : {}),
      ...(messageIds?.length ? { messageIds } : {}),
    };
    start.mutate({ body, idempotencyKey: key.current });
  }

  function resume() {
    key.current = newIdempotencyKey();
    start.reset();
    cancel.reset();
    setOpen(true);
  }

  if (!open && !outcome) {
    return (
      <button type="button" className={buttonClass} onClick={() => setOpen(true)} disabled={count === 0}>
        Redrive {messageIds?.length ? `${messageIds.length} selected` : 'DLQ'}
      </button>
    );
  }
  return (
    <section
      aria-label={`Redrive ${queueId} DLQ`}
      className="flex flex-col gap-3 rounded border border-border bg-surface-raised p-4"
    >
      {!outcome ? (
        <form onSubmit={submit} className="flex flex-col gap-3">
          <p className="text-sm">
            Move <strong>{count.toLocaleString('en-US')}</strong> {messageIds?.length ? 'selected ' : ''}message
            {count === 1 ? '' : 's'} from the {queueId} DLQ back to {queueId}.
          </p>
          <label className="flex w-48 flex-col gap-1 text-sm">
            <span className="font-medium">Rate (msg/s, optional)</span>
            <input
              className={inputClass}
              type="number"
              min={1}
              max={MAX_REDRIVE_RATE}
              step={1}
              value={rate}
              onChange={(e) => setRate(e.target.value)}
            />
          </label>
          <ReasonTicketFields
            reason={reason}
            ticket={ticket}
            onReason={setReason}
            onTicket={setTicket}
            ticketRequired={false}
          />
          <div className="flex gap-2">
            <button type="submit" className={buttonClass} disabled={start.isPending || count === 0}>
              {start.isPending ? 'Starting…' : 'Start redrive'}
            </button>
            <button type="button" className={secondaryButtonClass} onClick={() => setOpen(false)}>
              Close
            </button>
          </div>
        </form>
      ) : outcome.status === 'pending_approval' ? (
        <PendingApproval approvalId={outcome.approvalId} expiresAt={outcome.expiresAt} />
      ) : current ? (
        <div className="flex flex-col gap-2">
          <p role="status" className="text-sm">
            Redrive {current.status}: {current.moved.toLocaleString('en-US')} of {current.total.toLocaleString('en-US')}{' '}
            moved
          </p>
          <ProgressBar value={current.moved} total={current.total} label="Redrive progress" />
          {status.data?.pause ? (
            <div role="alert" className="rounded border border-warn/60 bg-warn/10 px-3 py-2 text-sm">
              {status.data.pause.reason} {status.data.pause.remaining} messages remain in the DLQ.{' '}
              <button type="button" className="underline" onClick={resume}>
                Resume remaining
              </button>
            </div>
          ) : null}
          {current.status === 'RUNNING' ? (
            <button
              type="button"
              className={`${secondaryButtonClass} self-start`}
              disabled={cancel.isPending}
              onClick={() => cancel.mutate({ id: current.id, reason: reason || 'cancelled by operator' })}
            >
              Cancel redrive
            </button>
          ) : null}
        </div>
      ) : null}
      <ActionError error={start.error ?? cancel.error ?? status.error} />
    </section>
  );
}
