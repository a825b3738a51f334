/**
 * The embedded platform's names and record shapes, read by the engine's loops and by the
 * console's local adapter (server/platform/local), which reads the engine's SQLite file.
 * Pure: no SQLite, no timers.
 */
import { alarmsFor, namesFor, queuePairs, type AlarmDefinition } from '@/infra/platform/description';
import type { CompensationName } from '@/infra/saga/definition';

export const STAGE = 'local' as const;
export const NAMES = namesFor(STAGE);
export const PROCESSING = queuePairs[0]!.id; // 'processing'
export const LOCAL_ALARMS: AlarmDefinition[] = alarmsFor(STAGE).filter((a) => !a.globalOnly);
/** The embedded processor's notional function timeout (s): the visibility-timeout policy's floor is 6x this. */
export const LOCAL_FUNCTION_TIMEOUT_SECONDS = 5;

export interface StepRecord {
  name: string;
  kind: 'step' | 'compensation';
  state: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED';
  attempts: number;
  startedAt: number | null;
  endedAt: number | null;
  output: string | null;
  /**
   * True only when `output` is exactly the output derived from the saga input (see
   * saga-timeline.ts): the timeline then stores a marker instead of the text.
   */
  outputDerived?: boolean;
  error: string | null;
}

export interface SagaCursor {
  phase: 'forward' | 'compensate' | 'done';
  index: number; // forward: index into steps; compensate: index into comps
  attempt: number;
  comps: CompensationName[];
}
