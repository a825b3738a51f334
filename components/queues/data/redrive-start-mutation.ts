'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { postJson } from '@/components/providers/api-post';
import { affectedBy, invalidate } from '@/components/providers/invalidate';
import type { ActionOutcome, RedriveRequest } from '@/server/ops/ops.schema';
import type { RedriveTask } from '@/server/platform/platform.schema';

export function startRedrive(body: RedriveRequest, idempotencyKey: string) {
  return postJson<ActionOutcome<RedriveTask>>('/api/ops/redrives', body, idempotencyKey);
}

/** Starts a redrive (or files it for approval); refreshes the queue, alarm, overview and task views. */
export function useRedriveStartMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: RedriveRequest; idempotencyKey: string }) =>
      startRedrive(body, idempotencyKey),
    onSuccess: () => invalidate(client, affectedBy.redrive),
  });
}
