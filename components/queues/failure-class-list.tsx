import { formatCount, formatTime } from '@/components/ui/format';
import type { FailureClassSummary } from '@/server/platform/triage.schema';

export interface FailureClassListProps {
  classes: readonly FailureClassSummary[];
  label: string;
  /** With a selection: a checkbox per class (redrive, quarantine). */
  selected?: ReadonlySet<string>;
  onToggle?: (classId: string, on: boolean) => void;
}

// Text in the foreground colour: green or red text on its own 10 % tint falls below 4.5:1 (axe).
const verdictClass = {
  retryable: 'border-ok/60 bg-ok/10 text-fg',
  permanent: 'border-danger/60 bg-danger/10 text-fg',
} as const;

/**
 * A DLQ's failure classes: what failed where, the verdict (retryable or permanent), how many,
 * first and last seen, and a sample (error, transaction, body excerpt).
 */
export function FailureClassList({ classes, label, selected, onToggle }: FailureClassListProps) {
  return (
    <ul aria-label={label} className="flex flex-col gap-2">
      {classes.map((c) => {
        const name = `${c.errorType} at ${c.step}`;
        return (
          <li
            key={c.classId}
            aria-label={`${name}, ${c.verdict}, ${formatCount(c.count)}`}
            className="rounded border border-border p-2 text-sm"
          >
            <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
              {onToggle ? (
                <label className="flex items-center gap-1 font-medium">
                  <input
                    type="checkbox"
                    checked={selected?.has(c.classId) ?? false}
                    onChange={(e) => onToggle(c.classId, e.target.checked)}
                  />
                  {name}
                </label>
              ) : (
                <span className="font-medium">{name}</span>
              )}
              <span className={`rounded border px-1.5 text-xs ${verdictClass[c.verdict]}`}>{c.verdict}</span>
              <span className="text-xs">
                <strong>{formatCount(c.count)}</strong> message{c.count === 1 ? '' : 's'}
              </span>
              <span className="text-xs text-fg-muted">
                first {formatTime(c.firstSeen)} · last {formatTime(c.lastSeen)}
              </span>
            </div>
            <p className="mt-1 font-mono text-xs text-fg-muted">{c.normalisedMessage}</p>
            <details className="mt-1">
              <summary className="cursor-pointer text-xs text-fg-muted">Sample message {c.sample.messageId}</summary>
              <dl className="mt-1 grid gap-x-3 text-xs sm:grid-cols-[max-content_1fr]">
                <dt className="text-fg-muted">Transaction</dt>
                <dd className="font-mono">{c.sample.transactionId ?? '—'}</dd>
                <dt className="text-fg-muted">Error</dt>
                <dd className="font-mono break-all">{c.sample.error}</dd>
                <dt className="text-fg-muted">Body</dt>
                <dd className="font-mono break-all">{c.sample.bodyExcerpt ?? 'not readable without a receive'}</dd>
              </dl>
            </details>
          </li>
        );
      })}
    </ul>
  );
}
