import { CancelRedrive, CancelReplay } from '@/components/replays/cancel-task';
import { AppLink } from '@/components/ui/app-link';
import { displayName, type DisplayNames } from '@/components/ui/display-name';
import { ProgressBar } from '@/components/ui/progress-bar';
import { StateBadge } from '@/components/ui/status-badge';
import type { Role } from '@/infra/platform/roles';
import type { RedriveTask, Replay } from '@/server/platform/platform.schema';

/**
 * Active replays and redrives with their progress; each links to the replays page and, for a
 * role that may cancel it, offers Cancel (whoever started it, from wherever).
 */
export function ActiveTasks({
  replays,
  redrives,
  role,
  names = {},
}: {
  replays: Replay[];
  redrives: RedriveTask[];
  role?: Role;
  /** Display names by user id; an id without a name shows as it is. */
  names?: DisplayNames;
}) {
  const who = (id: string | null) => displayName(names, id);
  if (!replays.length && !redrives.length) {
    return (
      <p className="rounded border border-dashed border-border p-3 text-sm text-fg-muted">
        No replay or redrive is running.
      </p>
    );
  }
  return (
    <ul aria-label="Active replays and redrives" className="space-y-2">
      {replays.map((r) => (
        <li key={r.name} className="rounded border border-border bg-surface-raised p-3 text-sm">
          <div className="mb-1 flex flex-wrap items-center gap-2">
            <StateBadge state={r.state} />
            <AppLink href="/replays?tab=replays" className="font-semibold text-accent underline">
              Replay {r.name}
            </AppLink>
            <span className="ml-auto text-xs text-fg-muted">by {who(r.startedBy)}</span>
          </div>
          <ProgressBar label={`Replay ${r.name} progress`} value={r.eventsReplayed} total={r.eventsTotal} />
          <div className="mt-2 empty:hidden">
            <CancelReplay replay={r} role={role} />
          </div>
        </li>
      ))}
      {redrives.map((t) => (
        <li key={t.id} className="rounded border border-border bg-surface-raised p-3 text-sm">
          <div className="mb-1 flex flex-wrap items-center gap-2">
            <StateBadge state={t.status} />
            <AppLink href="/replays?tab=redrives" className="font-semibold text-accent underline">
              Redrive of {t.queueId} DLQ
            </AppLink>
            <span className="ml-auto text-xs text-fg-muted">by {who(t.startedBy)}</span>
          </div>
          <ProgressBar label={`Redrive ${t.id} progress`} value={t.moved} total={t.total} />
          <div className="mt-2 empty:hidden">
            <CancelRedrive task={t} role={role} />
          </div>
        </li>
      ))}
    </ul>
  );
}
