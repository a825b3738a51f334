import type { ReplayPreviewRequest, ReplayRequest } from '@/server/ops/ops.schema';
import { presetWindow, type ReplayPreset } from '@/server/ops/replay-window.schema';

/**
 * The replay form's state. The confirmation ("Start replay of N events") must start exactly the
 * request that was counted: the previewed request body is kept and submitted as is (a preset is
 * never recomputed at submit time), and any edit of the window or pattern discards the preview.
 */
export interface ReplayFields {
  preset: ReplayPreset | 'custom';
  custom: { start: string; end: string };
  source: string;
  detailType: string;
}

export interface ReplayFormState extends ReplayFields {
  /** The request the shown preview counted; null when the inputs changed since. */
  previewed: ReplayPreviewRequest | null;
}

export type ReplayFormAction =
  | { type: 'edit'; change: Partial<ReplayFields> }
  | { type: 'previewed'; body: ReplayPreviewRequest }
  | { type: 'discard-preview' };

export function initialReplayForm(preset: ReplayFields['preset'], now: number, lagSeconds: number): ReplayFormState {
  return { preset, custom: presetWindow('1h', now, lagSeconds), source: '', detailType: '', previewed: null };
}

export function replayFormReducer(state: ReplayFormState, action: ReplayFormAction): ReplayFormState {
  switch (action.type) {
    case 'edit':
      return { ...state, ...action.change, previewed: null };
    case 'previewed':
      return { ...state, previewed: action.body };
    case 'discard-preview':
      return { ...state, previewed: null };
  }
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The request the inputs describe now (a preset's window ends `lagSeconds` before `now`). */
export function replayRequest(
  fields: ReplayFields,
  archive: string,
  now: number,
  lagSeconds: number,
): ReplayPreviewRequest {
  const window = fields.preset === 'custom' ? fields.custom : presetWindow(fields.preset, now, lagSeconds);
  const pattern =
    fields.source || fields.detailType
      ? {
          ...(fields.source ? { source: list(fields.source) } : {}),
          ...(fields.detailType ? { detailType: list(fields.detailType) } : {}),
        }
      : undefined;
  return { archive, window, ...(pattern ? { pattern } : {}) };
}

/** What "Start replay" sends: the previewed request, unchanged, with the reason and ticket. */
export function replayStartBody(previewed: ReplayPreviewRequest, reason: string, ticket: string): ReplayRequest {
  return { ...previewed, reason, ...(ticket ? { ticket } : {}) };
}
