'use client';

import { useState } from 'react';
import { useStartedResult } from '@/components/approvals/data/approval-query';
import { PendingOutcome } from '@/components/approvals/pending-approval';
import { buttonClass, ReasonTicketFields, secondaryButtonClass } from '@/components/ui/action-fields';
import { ActionPanel, useActionRequest } from '@/components/ui/action-panel';
import { formatCount } from '@/components/ui/format';
import { can, type Role } from '@/infra/platform/roles';
import { describeClasses } from './class-selection';
import { useFailureClassesQuery } from './data/failure-classes-query';
import { useQuarantineMutation } from './data/quarantine-mutation';
import { FailureClassList } from './failure-class-list';
import { QuarantineDownloads } from './quarantine-downloads';

export interface QuarantineActionProps {
  role: Role;
  queueId: string;
}

/**
 * Quarantine a DLQ's permanent failure classes: export their dead letters (JSON and CSV with
 * bodies, attributes and errors), then remove exactly those from the DLQ, as one guarded action
 * (reason; a second person approves batches). Afterwards: the download links and the hashes the
 * audit recorded.
 */
export function QuarantineAction({ role, queueId }: QuarantineActionProps) {
  const [open, setOpen] = useState(false);
  const [picked, setPicked] = useState<ReadonlySet<string> | null>(null);
  const request = useActionRequest<'trigger' | 'field' | 'status'>();
  const { focus, reason, ticket } = request;
  const classQuery = useFailureClassesQuery(queueId);
  const start = useQuarantineMutation();
  const outcome = start.data;
  const result = useStartedResult(outcome);
  if (!can(role, 'queue.quarantine')) return null;
  const permanent = (classQuery.data ?? []).filter((c) => c.verdict === 'permanent');
  const selected = picked ?? new Set(permanent.map((c) => c.classId));
  const chosen = permanent.filter((c) => selected.has(c.classId));
  const count = chosen.reduce((n, c) => n + c.count, 0);

  function toggle(id: string, on: boolean) {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setPicked(next);
  }

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const body = { queueId, classIds: chosen.map((c) => c.classId), reason, ...(ticket ? { ticket } : {}) };
    start.mutate({ body, idempotencyKey: request.idempotencyKey() }, { onSuccess: () => focus.focusNext('status') });
  }

  function close() {
    request.renewKey();
    start.reset();
    setPicked(null);
    setOpen(false);
    focus.focusNext('trigger');
  }

  if (!open && !outcome) {
    return (
      <button
        ref={focus.target('trigger')}
        type="button"
        className={secondaryButtonClass}
        disabled={permanent.length === 0}
        title={permanent.length === 0 ? 'No permanent failure class in the DLQ' : undefined}
        onClick={() => {
          setOpen(true);
          focus.focusNext('field');
        }}
      >
        Quarantine permanent dead letters
      </button>
    );
  }
  return (
    <ActionPanel label={`Quarantine ${queueId} dead letters`} error={start.error}>
      {!outcome ? (
        <form onSubmit={submit} className="flex flex-col gap-3">
          <FailureClassList classes={permanent} label="Permanent classes" selected={selected} onToggle={toggle} />
          <p role="status" className="text-sm" data-testid="quarantine-preview">
            Exports <strong>{formatCount(count)}</strong> dead letter{count === 1 ? '' : 's'} ({describeClasses(chosen)}
            ) as JSON and CSV with their bodies, attributes and errors, then removes exactly those from the {queueId}{' '}
            DLQ. Nothing is removed unless the export completes. More than one message (any in production) waits for a
            second person&apos;s approval.
          </p>
          <ReasonTicketFields {...request.fields} ticketRequired />
          <div className="flex gap-2">
            <button type="submit" className={buttonClass} disabled={start.isPending || count === 0}>
              {start.isPending ? 'Exporting…' : 'Export and quarantine'}
            </button>
            <button type="button" className={secondaryButtonClass} onClick={close}>
              Close
            </button>
          </div>
        </form>
      ) : null}
      <PendingOutcome outcome={outcome} ref={focus.target('status')} onClose={close} />
      {result ? <QuarantineDownloads result={result} statusRef={focus.target('status')} onClose={close} /> : null}
    </ActionPanel>
  );
}
