import { AppLink } from '@/components/ui/app-link';
import { formatTime } from '@/components/ui/format';
import { StatusBadge, type Tone } from '@/components/ui/status-badge';
import type { IncidentTimelineEvent } from '@/server/ops/read/incident.schema';

const kinds: Record<IncidentTimelineEvent['kind'], { label: string; tone: Tone }> = {
  alarm: { label: 'ALARM', tone: 'danger' },
  'dead-letter': { label: 'DLQ', tone: 'danger' },
  'saga-compensating': { label: 'COMPENSATING', tone: 'warn' },
  'saga-compensated': { label: 'COMPENSATED', tone: 'warn' },
  'saga-failed': { label: 'FAILED', tone: 'danger' },
  operator: { label: 'ACTION', tone: 'accent' },
};

/** Alarm changes, dead letters, saga failures by step and error, and operators' actions: newest first. */
export function IncidentTimeline({ events }: { events: IncidentTimelineEvent[] }) {
  if (!events.length)
    return (
      <p className="rounded border border-dashed border-border p-3 text-sm text-fg-muted">
        Nothing happened in this window.
      </p>
    );
  return (
    <ol
      aria-label="Incident timeline"
      tabIndex={0}
      className="max-h-[36rem] overflow-y-auto relative space-y-1 border-l-2 border-border pl-4"
    >
      {events.map((e, i) => (
        <li key={`${e.at}-${e.kind}-${i}`} className="text-sm">
          <div className="flex flex-wrap items-center gap-2">
            <time dateTime={e.at} className="w-44 shrink-0 text-xs tabular-nums text-fg-muted">
              {formatTime(e.at)}
            </time>
            <StatusBadge tone={kinds[e.kind].tone}>{kinds[e.kind].label}</StatusBadge>
            <AppLink href={e.href} className="text-accent underline">
              {e.title}
            </AppLink>
            {e.transactionId ? <span className="font-mono text-xs">{e.transactionId}</span> : null}
          </div>
          {e.detail ? <p className="ml-46 text-xs text-fg-muted">{e.detail}</p> : null}
        </li>
      ))}
    </ol>
  );
}
