'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { postJson } from '@/components/providers/api-post';
import { affectedBy, invalidate } from '@/components/providers/invalidate';
import type { ActionOutcome, CompensationRequest, CompensationResponse } from '@/server/ops/ops.schema';
import { compensationPath } from './compensation-preview-mutation';

export function requestCompensation(sagaId: string, body: CompensationRequest, idempotencyKey: string) {
  return postJson<ActionOutcome<CompensationResponse>>(compensationPath(sagaId), body, idempotencyKey);
}

/** Compensate or resume a saga (under the default policy: filed for a second person's approval). */
export function useCompensationRequestMutation(sagaId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: CompensationRequest; idempotencyKey: string }) =>
      requestCompensation(sagaId, body, idempotencyKey),
    onSuccess: () => invalidate(client, affectedBy.compensation),
  });
}
