import { formatTime } from '@/components/ui/format';
import { StatusBadge } from '@/components/ui/status-badge';
import type { Alarm } from '@/server/platform/platform.schema';

/** From this many state changes in the last 60 minutes an alarm is marked as flapping. */
export const FLAPPING_FROM = 4;

/** "12 min", "1 h 5 min": how long an episode has lasted. */
export function formatMinutes(ms: number): string {
  const min = Math.max(0, Math.floor(ms / 60_000));
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

/**
 * Since when the alarm is in its state: in ALARM, since the first breaching minute of the episode
 * (not the evaluation that noticed it) and for how long at `now` (unix ms; 0 = unknown).
 */
export function episodeText(alarm: Pick<Alarm, 'state' | 'since' | 'episodeStart'>, now: number): string {
  if (alarm.state === 'ALARM' && alarm.episodeStart) {
    const lasted = now > 0 ? ` (for ${formatMinutes(now - Date.parse(alarm.episodeStart))})` : '';
    return `in ALARM since ${formatTime(alarm.episodeStart)}${lasted}`;
  }
  return `${alarm.state} since ${formatTime(alarm.since)}`;
}

/** "3 state changes in the last 60 min", or null when the backend did not count them. */
export function flapText(alarm: Pick<Alarm, 'flapCount'>): string | null {
  const n = alarm.flapCount;
  if (n === null || n === undefined) return null;
  return `${n} state change${n === 1 ? '' : 's'} in the last 60 min`;
}

/** The alarm's episode line and its flap count (marked when it flaps). */
export function AlarmEpisode({ alarm, now }: { alarm: Alarm; now: number }) {
  const flaps = flapText(alarm);
  return (
    <span className="inline-flex flex-wrap items-center gap-x-2 gap-y-1">
      <span data-testid="alarm-episode">{episodeText(alarm, now)}</span>
      {flaps ? (
        <span className="text-xs text-fg-muted" data-testid="alarm-flaps">
          {flaps}
        </span>
      ) : null}
      {(alarm.flapCount ?? 0) >= FLAPPING_FROM ? <StatusBadge tone="warn">flapping</StatusBadge> : null}
    </span>
  );
}
