'use client';

import { useMutation } from '@tanstack/react-query';
import type { CompensationPreview } from '@/server/platform/platform.schema';
import { postJson } from '../api';

export type CompensationMode = 'compensate' | 'resume';

const base = (sagaId: string) => `/api/ops/sagas/${encodeURIComponent(sagaId)}/compensation`;
export const compensationPath = base;

export function previewCompensation(sagaId: string, mode: CompensationMode) {
  return postJson<CompensationPreview>(`${base(sagaId)}/preview`, { mode });
}

/** The ledger effect of compensating or resuming: changes nothing. */
export function useCompensationPreviewMutation(sagaId: string) {
  return useMutation({ mutationFn: (mode: CompensationMode) => previewCompensation(sagaId, mode) });
}
