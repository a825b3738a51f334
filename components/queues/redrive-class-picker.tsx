'use client';

import type { FailureClassSummary } from '@/server/platform/triage.schema';
import { classSelectionSummary } from './class-selection';
import { FailureClassList } from './failure-class-list';

export interface RedriveClassPickerProps {
  classes: readonly FailureClassSummary[];
  selected: ReadonlySet<string>;
  onToggle: (classId: string, on: boolean) => void;
  includePermanent: boolean;
  onIncludePermanent: (on: boolean) => void;
}

/**
 * The redrive's failure classes (retryable ones selected by default), what it moves and what it
 * leaves, and the explicit choice a permanent class needs (its messages fail again).
 */
export function RedriveClassPicker({
  classes,
  selected,
  onToggle,
  includePermanent,
  onIncludePermanent,
}: RedriveClassPickerProps) {
  const summary = classSelectionSummary(classes, selected);
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1 text-sm font-medium">Failure classes to redrive</legend>
      <FailureClassList classes={classes} label="Failure classes" selected={selected} onToggle={onToggle} />
      <p role="status" className="text-sm" data-testid="redrive-selection">
        This redrive {summary.text}.
      </p>
      {summary.permanentSelected ? (
        <label className="flex items-start gap-2 rounded border border-warn/60 bg-warn/10 px-2 py-1 text-sm">
          <input
            type="checkbox"
            required
            checked={includePermanent}
            onChange={(e) => onIncludePermanent(e.target.checked)}
          />
          <span>
            Redrive the permanent classes anyway: their messages will fail again and return to the DLQ (quarantine them
            instead).
          </span>
        </label>
      ) : null}
    </fieldset>
  );
}
