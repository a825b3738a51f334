'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { postJson } from '@/components/providers/api-post';
import { affectedBy, invalidate } from '@/components/providers/invalidate';
import type { ApprovalDecisionRequest } from '@/server/ops/ops.schema';

export function decideApproval(id: string, body: ApprovalDecisionRequest, idempotencyKey: string) {
  return postJson<{ status: string }>(`/api/approvals/${encodeURIComponent(id)}/decision`, body, idempotencyKey);
}

/** Approve (runs the guarded action) or reject someone else's request; refreshes what it changed. */
export function useApprovalDecisionMutation(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: ApprovalDecisionRequest; idempotencyKey: string }) =>
      decideApproval(id, body, idempotencyKey),
    onSuccess: () => invalidate(client, affectedBy.approval),
  });
}
