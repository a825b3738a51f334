'use client';

import { useMutation } from '@tanstack/react-query';
import { postJson } from '@/components/providers/api-post';
import type { ReplayPreviewRequest, ReplayPreviewResponse } from '@/server/ops/ops.schema';

export function previewReplay(body: ReplayPreviewRequest) {
  return postJson<ReplayPreviewResponse>('/api/ops/replays/preview', body);
}

/** Count, sample and idempotency gate of a window: changes nothing, so nothing to invalidate. */
export function useReplayPreviewMutation() {
  return useMutation({ mutationFn: previewReplay });
}
