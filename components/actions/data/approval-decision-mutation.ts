'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { postJson } from '../api';
import { affectedBy, invalidate } from './invalidate';

export interface ApprovalDecisionBody {
  decision: 'approve' | 'reject';
  comment?: string;
}

export function decideApproval(id: string, body: ApprovalDecisionBody, idempotencyKey: string) {
  return postJson<{ status: string }>(`/api/approvals/${encodeURIComponent(id)}/decision`, body, idempotencyKey);
}

/** Approve (runs the guarded action) or reject someone else's request; refreshes what it changed. */
export function useApprovalDecisionMutation(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: ApprovalDecisionBody; idempotencyKey: string }) =>
      decideApproval(id, body, idempotencyKey),
    onSuccess: () => invalidate(client, affectedBy.approval),
  });
}
