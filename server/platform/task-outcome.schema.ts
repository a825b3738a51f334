/**
 * A task's outcome and its one sentence, without zod: the task tables (client components) import
 * this file, and platform.schema.ts would bring zod into every page that lists a redrive or a
 * replay. platform.schema.ts holds the zod schema (`taskOutcomeSchema`), checked against this type.
 */

/**
 * What a redrive's moved messages (or a replay's events) became: `processed` of `sent` left the
 * source queue; of those `applied` were consumed and `backInDlq` dead-lettered again. `settled`
 * once every sent message is processed, or when the settle delay after the task's end has passed
 * (a failing message returns to the DLQ only after its third receive: 3 visibility timeouts).
 */
export interface TaskOutcome {
  sent: number;
  processed: number;
  applied: number;
  backInDlq: number;
  settled: boolean;
  /**
   * What is not counted (absent: everything is): 'backOnly' when the platform cannot say how many
   * were sent (an EventBridge replay without an archive index: only backInDlq is a count),
   * 'nothing' while the counts could not be read (retried at the next read). The numbers that
   * are not counted are 0 and mean "unknown": outcomeText never shows them.
   */
  uncounted?: 'backOnly' | 'nothing' | undefined;
  /** How the adapter counted (e.g. "by message id through the failure index"). */
  basis: string;
}

/** "N applied, M back in the DLQ" (and what is still pending): the task rows and the audit say it alike. */
export function outcomeText(o: TaskOutcome | null | undefined): string {
  if (!o) return 'outcome not tracked by this platform';
  const n = (v: number) => v.toLocaleString('en-US');
  if (o.uncounted === 'nothing') return 'not counted yet (see its basis)';
  if (o.uncounted === 'backOnly')
    return `${n(o.backInDlq)} back in the DLQ; how many were sent and applied is not known here`;
  const pending = o.sent - o.processed;
  return `${n(o.applied)} applied, ${n(o.backInDlq)} back in the DLQ${pending > 0 ? `, ${n(pending)} not processed yet` : ''}`;
}
