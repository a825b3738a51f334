'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { postJson } from '@/components/providers/api-post';
import { affectedBy, invalidate } from '@/components/providers/invalidate';
import type { ActionOutcome, QuarantineRequest } from '@/server/ops/ops.schema';
import type { QuarantineResult } from '@/server/ops/quarantine.schema';

export function startQuarantine(body: QuarantineRequest, idempotencyKey: string) {
  return postJson<ActionOutcome<QuarantineResult>>('/api/ops/quarantine', body, idempotencyKey);
}

/** Quarantines permanent classes (or files it for approval); refreshes the queue, classes and alarm views. */
export function useQuarantineMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: QuarantineRequest; idempotencyKey: string }) =>
      startQuarantine(body, idempotencyKey),
    onSuccess: () => invalidate(client, affectedBy.redrive),
  });
}
