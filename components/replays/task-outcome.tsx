import { outcomeText, type TaskOutcome } from '@/server/platform/task-outcome.schema';

/**
 * What a redrive's moved messages (or a replay's events) became: "N applied, M back in the DLQ",
 * marked as settling until every one was processed (or the settle delay passed).
 */
export function TaskOutcomeText({ outcome }: { outcome: TaskOutcome | null | undefined }) {
  if (outcome === undefined) return null;
  return (
    <span className="block text-xs" title={outcome?.basis}>
      <span className={outcome && outcome.backInDlq > 0 ? 'font-medium text-danger' : undefined}>
        {outcomeText(outcome)}
      </span>
      {outcome && !outcome.settled ? <span className="text-fg-muted"> (settling: messages still arriving)</span> : null}
    </span>
  );
}
