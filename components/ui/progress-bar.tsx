import { formatCount } from '@/components/ui/format';

/** A labelled progress bar; `total` null means unknown (indeterminate). */
export function ProgressBar({ value, total, label }: { value: number; total: number | null; label: string }) {
  const pct = total && total > 0 ? Math.min(100, Math.round((value / total) * 100)) : null;
  return (
    <div className="flex items-center gap-2">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total ?? undefined}
        aria-valuenow={total ? value : undefined}
        aria-valuetext={
          pct === null ? `${formatCount(value)} done` : `${pct}% (${formatCount(value)} of ${formatCount(total ?? 0)})`
        }
        className="h-2 flex-1 overflow-hidden rounded bg-border/60"
      >
        <div
          className={`h-full bg-accent ${pct === null ? 'w-1/3 animate-pulse' : ''}`}
          style={pct === null ? undefined : { width: `${pct}%` }}
        />
      </div>
      <span className="w-24 text-right text-xs tabular-nums text-fg-muted">
        {pct === null ? formatCount(value) : `${pct}%`}
      </span>
    </div>
  );
}
