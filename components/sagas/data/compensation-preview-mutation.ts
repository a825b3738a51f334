'use client';

import { useMutation } from '@tanstack/react-query';
import { postJson } from '@/components/providers/api-post';
import type { CompensationMode } from '@/server/ops/ops.schema';
import type { CompensationPreview } from '@/server/platform/platform.schema';

const base = (sagaId: string) => `/api/ops/sagas/${encodeURIComponent(sagaId)}/compensation`;
export const compensationPath = base;

export function previewCompensation(sagaId: string, mode: CompensationMode) {
  return postJson<CompensationPreview>(`${base(sagaId)}/preview`, { mode });
}

/** The ledger effect of compensating or resuming: changes nothing. */
export function useCompensationPreviewMutation(sagaId: string) {
  return useMutation({ mutationFn: (mode: CompensationMode) => previewCompensation(sagaId, mode) });
}
