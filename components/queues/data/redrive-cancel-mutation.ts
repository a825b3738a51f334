'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { newIdempotencyKey, postJson } from '@/components/providers/api-post';
import { affectedBy, invalidate } from '@/components/providers/invalidate';
import { redriveKeys } from '@/components/replays/data/keys';
import type { RedriveTask } from '@/server/platform/platform.schema';

export function cancelRedrive(id: string, reason: string) {
  return postJson<RedriveTask>(`/api/ops/redrives/${encodeURIComponent(id)}/cancel`, { reason }, newIdempotencyKey());
}

export function useRedriveCancelMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) => cancelRedrive(id, reason),
    onSuccess: (_task, { id }) => invalidate(client, [redriveKeys.status(id), ...affectedBy.redrive]),
  });
}
