'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RedriveTask } from '@/server/platform/platform.schema';
import { postJson } from '../api';
import { affectedBy, invalidate } from './invalidate';
import type { ActionOutcome } from './outcome';

export interface RedriveStartBody {
  queueId: string;
  reason: string;
  rate?: number;
  ticket?: string;
  messageIds?: string[];
}

export function startRedrive(body: RedriveStartBody, idempotencyKey: string) {
  return postJson<ActionOutcome<RedriveTask>>('/api/ops/redrives', body, idempotencyKey);
}

/** Starts a redrive (or files it for approval); refreshes the queue, alarm, overview and task views. */
export function useRedriveStartMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: RedriveStartBody; idempotencyKey: string }) =>
      startRedrive(body, idempotencyKey),
    onSuccess: () => invalidate(client, affectedBy.redrive),
  });
}
