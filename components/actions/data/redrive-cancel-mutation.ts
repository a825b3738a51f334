'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RedriveTask } from '@/server/platform/platform.schema';
import { newIdempotencyKey, postJson } from '../api';
import { affectedBy, invalidate } from './invalidate';
import { actionKeys } from './keys';

export function cancelRedrive(id: string, reason: string) {
  return postJson<RedriveTask>(`/api/ops/redrives/${encodeURIComponent(id)}/cancel`, { reason }, newIdempotencyKey());
}

export function useRedriveCancelMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) => cancelRedrive(id, reason),
    onSuccess: (_task, { id }) => invalidate(client, [actionKeys.redriveStatus(id), ...affectedBy.redrive]),
  });
}
