'use client';

import { useMutation } from '@tanstack/react-query';
import type { ReplayPreview } from '@/server/platform/platform.schema';
import { postJson } from '../api';

export interface ReplayRequestBody {
  archive: string;
  window: { start: string; end: string };
  pattern?: { source?: string[]; detailType?: string[] };
}

export interface ReplayPreviewResult {
  preview: ReplayPreview;
  bounds: { earliest: string; latest: string; idempotencyHorizon: string; ingestionLagSeconds: number };
  /** Why the window cannot be replayed (idempotency gate), or null. */
  refusal: string | null;
  needsApproval: boolean;
}

export function previewReplay(body: ReplayRequestBody) {
  return postJson<ReplayPreviewResult>('/api/ops/replays/preview', body);
}

/** Count, sample and idempotency gate of a window: changes nothing, so nothing to invalidate. */
export function useReplayPreviewMutation() {
  return useMutation({ mutationFn: previewReplay });
}
