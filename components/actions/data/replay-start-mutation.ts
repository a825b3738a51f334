'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Replay } from '@/server/platform/platform.schema';
import { postJson } from '../api';
import { affectedBy, invalidate } from './invalidate';
import type { ActionOutcome } from './outcome';
import type { ReplayRequestBody } from './replay-preview-mutation';

export type ReplayStartBody = ReplayRequestBody & { reason: string; ticket?: string };

export function startReplay(body: ReplayStartBody, idempotencyKey: string) {
  return postJson<ActionOutcome<Replay>>('/api/ops/replays', body, idempotencyKey);
}

export function useReplayStartMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: ReplayStartBody; idempotencyKey: string }) =>
      startReplay(body, idempotencyKey),
    onSuccess: () => invalidate(client, affectedBy.replay),
  });
}
