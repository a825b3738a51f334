'use client';

import { useState } from 'react';
import { useRedriveCancelMutation } from '@/components/queues/data/redrive-cancel-mutation';
import { ActionError, ReasonField, secondaryButtonClass } from '@/components/ui/action-fields';
import { formatCount } from '@/components/ui/format';
import { can, type Role } from '@/infra/platform/roles';
import type { RedriveTask, Replay } from '@/server/platform/platform.schema';
import { useReplayCancelMutation } from './data/replay-cancel-mutation';

/** States a cancel can still stop (CANCELLING is already on its way). */
export const cancellableReplayStates: readonly Replay['state'][] = ['STARTING', 'RUNNING'];
export const cancellableRedriveStates: readonly RedriveTask['status'][] = ['RUNNING'];

const dangerButtonClass =
  'rounded bg-danger px-3 py-1.5 text-sm font-semibold text-surface hover:opacity-90 disabled:opacity-50';

const percent = (done: number, total: number | null) =>
  total && total > 0 ? ` (${Math.min(100, Math.round((done / total) * 100))}%)` : '';

interface CancelTaskProps {
  /** "replay replay-20261126-0300", "redrive of the processing DLQ": what the buttons name. */
  what: string;
  /** Progress so far and what stopping leaves behind, read from the live row. */
  impact: string;
  pending: boolean;
  error: unknown;
  done: boolean;
  onConfirm: (reason: string) => void;
}

interface ConfirmationProps {
  what: string;
  impact: string;
  pending: boolean;
  error: unknown;
  onConfirm: (reason: string) => void;
  onKeep: () => void;
}

/** The confirmation: what stops, the progress so far, a reason for the audit log. */
export function CancelConfirmation({ what, impact, pending, error, onConfirm, onKeep }: ConfirmationProps) {
  const [reason, setReason] = useState('');
  return (
    <form
      aria-label={`Confirm: cancel ${what}`}
      className="flex max-w-md flex-col gap-2 rounded border border-danger/60 bg-danger/5 p-2 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        onConfirm(reason.trim());
      }}
    >
      <p>
        Cancel {what}? {impact}
      </p>
      <ReasonField value={reason} onChange={setReason} />
      <div className="flex gap-2">
        <button type="submit" className={dangerButtonClass} disabled={pending || reason.trim().length < 3}>
          {pending ? 'Cancelling…' : 'Confirm cancel'}
        </button>
        <button type="button" className={secondaryButtonClass} onClick={onKeep}>
          Keep running
        </button>
      </div>
      <ActionError error={error} />
    </form>
  );
}

/**
 * Cancel, confirmed with the progress so far. The server authorizes the call; the caller's role
 * only decides whether the button is offered.
 */
function CancelTask({ what, impact, pending, error, done, onConfirm }: CancelTaskProps) {
  const [confirming, setConfirming] = useState(false);
  if (done) {
    return (
      <p role="status" className="text-xs">
        Cancel requested.
      </p>
    );
  }
  if (!confirming) {
    return (
      <button
        type="button"
        aria-label={`Cancel ${what}`}
        className={`${secondaryButtonClass} whitespace-nowrap`}
        onClick={() => setConfirming(true)}
      >
        Cancel
      </button>
    );
  }
  return (
    <CancelConfirmation
      what={what}
      impact={impact}
      pending={pending}
      error={error}
      onConfirm={onConfirm}
      onKeep={() => setConfirming(false)}
    />
  );
}

/** Progress so far and what a cancel leaves behind. */
export function replayCancelImpact(r: Replay): string {
  const total = r.eventsTotal === null ? '' : ` of ${formatCount(r.eventsTotal)}`;
  return `${formatCount(r.eventsReplayed)}${total} events replayed so far${percent(r.eventsReplayed, r.eventsTotal)}; those stay replayed, the rest are not sent.`;
}

export function redriveCancelImpact(t: RedriveTask): string {
  return `${formatCount(t.moved)} of ${formatCount(t.total)} messages moved so far${percent(t.moved, t.total)}; moved messages stay in ${t.queueId}, the rest stay in its DLQ.`;
}

/** Cancel for an active replay row; nothing for a role without archive.replay.cancel or a finished replay. */
export function CancelReplay({ replay, role }: { replay: Replay; role: Role | undefined }) {
  const cancel = useReplayCancelMutation();
  if (!role || !can(role, 'archive.replay.cancel') || !cancellableReplayStates.includes(replay.state)) return null;
  return (
    <CancelTask
      what={`replay ${replay.name}`}
      impact={replayCancelImpact(replay)}
      pending={cancel.isPending}
      error={cancel.error}
      done={cancel.isSuccess}
      onConfirm={(reason) => cancel.mutate({ name: replay.name, reason })}
    />
  );
}

/** Cancel for an active redrive row; nothing for a role without queue.redrive.cancel or a finished redrive. */
export function CancelRedrive({ task, role }: { task: RedriveTask; role: Role | undefined }) {
  const cancel = useRedriveCancelMutation();
  if (!role || !can(role, 'queue.redrive.cancel') || !cancellableRedriveStates.includes(task.status)) return null;
  return (
    <CancelTask
      what={`redrive of the ${task.queueId} DLQ`}
      impact={redriveCancelImpact(task)}
      pending={cancel.isPending}
      error={cancel.error}
      done={cancel.isSuccess}
      onConfirm={(reason) => cancel.mutate({ id: task.id, reason })}
    />
  );
}
