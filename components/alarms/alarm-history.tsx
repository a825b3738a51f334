import { formatTime } from '@/components/ui/format';
import { StateBadge } from '@/components/ui/status-badge';
import type { AlarmHistoryItem } from '@/server/platform/platform.schema';

/** The alarm's state changes, newest first. */
export function AlarmHistory({ history }: { history: AlarmHistoryItem[] }) {
  if (!history.length)
    return (
      <p className="rounded border border-dashed border-border p-3 text-sm text-fg-muted">
        This alarm has not changed state yet.
      </p>
    );
  return (
    <ol aria-label="State history" className="space-y-2">
      {history.map((h) => (
        <li key={`${h.timestamp}-${h.to}`} className="rounded border border-border bg-surface-raised p-2 text-sm">
          <div className="flex flex-wrap items-center gap-2">
            <time dateTime={h.timestamp} className="text-xs text-fg-muted">
              {formatTime(h.timestamp)}
            </time>
            <StateBadge state={h.from} />
            <span aria-label="to">→</span>
            <StateBadge state={h.to} />
          </div>
          <p className="mt-1 text-xs">{h.reason}</p>
        </li>
      ))}
    </ol>
  );
}
