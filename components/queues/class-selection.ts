import { formatCount } from '@/components/ui/format';
import type { FailureClassSummary } from '@/server/platform/triage.schema';

/** The classes a redrive selects by default: the retryable ones (permanent ones fail again). */
export function defaultRedriveClasses(classes: readonly FailureClassSummary[]): string[] {
  return classes.filter((c) => c.verdict === 'retryable').map((c) => c.classId);
}

const total = (list: readonly FailureClassSummary[]) => list.reduce((n, c) => n + c.count, 0);
const fmt = formatCount;

/** "2 retryable classes", "1 permanent class", "1 retryable and 2 permanent classes". */
export function describeClasses(list: readonly FailureClassSummary[]): string {
  const retryable = list.filter((c) => c.verdict === 'retryable').length;
  const permanent = list.length - retryable;
  const parts = [retryable ? `${retryable} retryable` : '', permanent ? `${permanent} permanent` : ''].filter(Boolean);
  return `${parts.join(' and ') || 'no'} ${list.length === 1 ? 'class' : 'classes'}`;
}

export interface ClassSelectionSummary {
  moves: number;
  leaves: number;
  /** A permanent class is selected: the operator must confirm it fails again. */
  permanentSelected: boolean;
  /** "moves 20 (2 retryable classes), leaves 5 (1 permanent class)". */
  text: string;
}

/** What a class redrive moves and what it leaves in the DLQ. */
export function classSelectionSummary(
  classes: readonly FailureClassSummary[],
  selected: ReadonlySet<string>,
): ClassSelectionSummary {
  const moving = classes.filter((c) => selected.has(c.classId));
  const leaving = classes.filter((c) => !selected.has(c.classId));
  const moves = total(moving);
  const leaves = total(leaving);
  const text =
    `moves ${fmt(moves)} (${describeClasses(moving)})` +
    (leaving.length ? `, leaves ${fmt(leaves)} (${describeClasses(leaving)})` : ', leaves nothing');
  return { moves, leaves, permanentSelected: moving.some((c) => c.verdict === 'permanent'), text };
}
