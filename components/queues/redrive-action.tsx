'use client';

import { useState } from 'react';
import { REDRIVE_APPROVAL_THRESHOLD, redriveNeedsApproval } from '@/components/approvals/data/approval-policy';
import { useStartedResult } from '@/components/approvals/data/approval-query';
import { PendingOutcome } from '@/components/approvals/pending-approval';
import { affectedBy, useInvalidateWhen } from '@/components/providers/invalidate';
import { buttonClass, inputClass, ReasonTicketFields, secondaryButtonClass } from '@/components/ui/action-fields';
import { ActionPanel, PanelButton, TaskProgress, useActionRequest } from '@/components/ui/action-panel';
import { formatCount } from '@/components/ui/format';
import { MAX_REDRIVE_RATE } from '@/infra/platform/limits';
import { can, type Role } from '@/infra/platform/roles';
import { defaultRedriveClasses } from './class-selection';
import { useFailureClassesQuery } from './data/failure-classes-query';
import { useRedriveCancelMutation } from './data/redrive-cancel-mutation';
import { useRedriveStartMutation } from './data/redrive-start-mutation';
import { isRedriveActive, useRedriveStatusQuery } from './data/redrive-status-query';
import { RedriveClassPicker } from './redrive-class-picker';

export interface RedriveActionProps {
  role: Role;
  queueId: string;
  depth: number;
  messageIds?: string[];
  /** Show the form straight away (next to a firing DLQ alarm): one click less. */
  defaultOpen?: boolean;
}

/**
 * Redrive a DLQ back to its source queue: its failure classes (the retryable ones by default; a
 * permanent one only by explicit choice), all messages when the index has no classes, or the
 * selected ones; optional rate,
 * then live progress, cancel, and the closed loop's pause (with "Resume remaining"). Above the
 * approval threshold the request waits for a second person (and needs a ticket); the notice
 * follows it to the started task. Rendered only for roles the permission matrix allows.
 */
export function RedriveAction({ role, queueId, depth, messageIds, defaultOpen = false }: RedriveActionProps) {
  const [open, setOpen] = useState(defaultOpen);
  const [rate, setRate] = useState('');
  const request = useActionRequest<'trigger' | 'field' | 'status'>();
  const { focus, reason, ticket } = request;
  const start = useRedriveStartMutation();
  const cancel = useRedriveCancelMutation();
  const outcome = start.data;
  const started = useStartedResult(outcome);
  const status = useRedriveStatusQuery(started?.id ?? null);
  const current = status.data?.task ?? started;
  const ended = current ? !isRedriveActive(current.status) : false;
  const classQuery = useFailureClassesQuery(queueId);
  const classes = messageIds?.length ? [] : (classQuery.data ?? []);
  const [picked, setPicked] = useState<ReadonlySet<string> | null>(null);
  const [includePermanent, setIncludePermanent] = useState(false);
  const selected = picked ?? new Set(defaultRedriveClasses(classes));
  const classIds = classes.filter((c) => selected.has(c.classId));
  const byClass = classes.length > 0;

  // When the task ends, the read side's depths, alarms and task lists change: refresh them now.
  useInvalidateWhen(ended, affectedBy.redrive);

  if (!can(role, 'queue.redrive')) return null;
  const count = messageIds?.length ?? (byClass ? classIds.reduce((n, c) => n + c.count, 0) : depth);
  const permanentSelected = classIds.some((c) => c.verdict === 'permanent');
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setPicked(next);
  };
  const needsApproval = redriveNeedsApproval(count);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const body = {
      queueId,
      reason,
      ...(rate ? { rate: Number(rate) } : {}),
      ...(ticket ? { ticket } : {}),
      ...(messageIds?.length ? { messageIds } : {}),
      ...(byClass ? { classIds: classIds.map((c) => c.classId) } : {}),
      ...(byClass && permanentSelected ? { includePermanent } : {}),
    };
    start.mutate({ body, idempotencyKey: request.idempotencyKey() }, { onSuccess: () => focus.focusNext('status') });
  }

  function reset(reopen: boolean) {
    request.renewKey();
    start.reset();
    cancel.reset();
    setOpen(reopen);
    focus.focusNext(reopen ? 'field' : 'trigger');
  }

  if (!open && !outcome) {
    return (
      <button
        ref={focus.target('trigger')}
        type="button"
        className={buttonClass}
        onClick={() => {
          setOpen(true);
          focus.focusNext('field');
        }}
        disabled={count === 0}
      >
        Redrive {messageIds?.length ? `${messageIds.length} selected` : 'DLQ'}
      </button>
    );
  }
  return (
    <ActionPanel label={`Redrive ${queueId} DLQ`} error={start.error ?? cancel.error ?? status.error}>
      {!outcome ? (
        <form onSubmit={submit} className="flex flex-col gap-3">
          <p className="text-sm">
            Move <strong>{formatCount(count)}</strong> {messageIds?.length ? 'selected ' : ''}message
            {count === 1 ? '' : 's'} from the {queueId} DLQ back to {queueId}.
          </p>
          {byClass ? (
            <RedriveClassPicker
              classes={classes}
              selected={selected}
              onToggle={toggle}
              includePermanent={includePermanent}
              onIncludePermanent={setIncludePermanent}
            />
          ) : null}
          {needsApproval ? (
            <p className="text-sm text-warn">
              More than {formatCount(REDRIVE_APPROVAL_THRESHOLD)} messages: a second person must approve this redrive,
              and the request needs a ticket.
            </p>
          ) : null}
          <label className="flex w-48 flex-col gap-1 text-sm">
            <span className="font-medium">Rate (msg/s, optional)</span>
            <input
              ref={focus.target('field')}
              className={inputClass}
              type="number"
              min={1}
              max={MAX_REDRIVE_RATE}
              step={1}
              value={rate}
              onChange={(e) => setRate(e.target.value)}
            />
          </label>
          <ReasonTicketFields {...request.fields} ticketRequired={needsApproval} />
          <div className="flex gap-2">
            <button type="submit" className={buttonClass} disabled={start.isPending || count === 0}>
              {start.isPending ? 'Starting…' : 'Start redrive'}
            </button>
            <button type="button" className={secondaryButtonClass} onClick={() => reset(false)}>
              Close
            </button>
          </div>
        </form>
      ) : null}
      <PendingOutcome outcome={outcome} ref={focus.target('status')} onClose={() => reset(false)} />
      {current ? (
        <TaskProgress
          line={
            <>
              Redrive {current.status}: {formatCount(current.moved)} of {formatCount(current.total)} moved
            </>
          }
          statusRef={outcome?.status === 'started' ? focus.target('status') : undefined}
          value={current.moved}
          total={current.total}
          label="Redrive progress"
        >
          {status.data?.pause ? (
            <div role="alert" className="rounded border border-warn/60 bg-warn/10 px-3 py-2 text-sm">
              {status.data.pause.reason} {status.data.pause.remaining} messages remain in the DLQ.{' '}
              <button type="button" className="underline" onClick={() => reset(true)}>
                Resume remaining
              </button>
            </div>
          ) : null}
          {current.status === 'RUNNING' ? (
            <PanelButton
              disabled={cancel.isPending}
              onClick={() => cancel.mutate({ id: current.id, reason: reason || 'cancelled by operator' })}
            >
              Cancel redrive
            </PanelButton>
          ) : null}
        </TaskProgress>
      ) : null}
    </ActionPanel>
  );
}
