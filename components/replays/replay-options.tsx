import { inputClass } from '@/components/ui/action-fields';
import type { ReplayPreview } from '@/server/platform/platform.schema';

export interface ReplayOptions {
  excludeDeadLettered: boolean;
  /** Events per second as typed ('' = unthrottled). */
  rate: string;
}
export const noOptions: ReplayOptions = { excludeDeadLettered: false, rate: '' };

/** The options part of the start body: only what was chosen (the server refuses what the platform cannot do). */
export function optionsBody(o: ReplayOptions): { excludeDeadLettered?: true; rate?: number } {
  const rate = Number(o.rate);
  return {
    ...(o.excludeDeadLettered ? { excludeDeadLettered: true as const } : {}),
    ...(o.rate.trim() && Number.isFinite(rate) ? { rate } : {}),
  };
}

/**
 * Skip dead-lettered transactions and a rate, where the platform's replay can; where it cannot
 * (EventBridge: a pattern cannot exclude by id, a replay has no rate), says so instead.
 */
export function ReplayOptionsFields({
  supports,
  value,
  onChange,
}: {
  supports: ReplayPreview['supports'];
  value: ReplayOptions;
  onChange: (o: ReplayOptions) => void;
}) {
  return (
    <div className="flex flex-wrap items-end gap-3 text-sm">
      {supports?.excludeDeadLettered ? (
        <label className="flex items-center gap-2">
          <input
            type="checkbox"
            checked={value.excludeDeadLettered}
            onChange={(e) => onChange({ ...value, excludeDeadLettered: e.target.checked })}
          />
          Skip events whose transaction is in a DLQ now
        </label>
      ) : null}
      {supports?.rate ? (
        <label className="flex flex-col gap-1">
          Rate (events/s, empty = unthrottled)
          <input
            className={inputClass}
            type="number"
            min={1}
            max={10_000}
            inputMode="numeric"
            value={value.rate}
            onChange={(e) => onChange({ ...value, rate: e.target.value })}
          />
        </label>
      ) : null}
      {supports?.note ? <p className="text-fg-muted">{supports.note}</p> : null}
    </div>
  );
}
