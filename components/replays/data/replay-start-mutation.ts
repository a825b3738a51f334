'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { postJson } from '@/components/providers/api-post';
import { affectedBy, invalidate } from '@/components/providers/invalidate';
import type { ActionOutcome, ReplayRequest } from '@/server/ops/ops.schema';
import type { Replay } from '@/server/platform/platform.schema';

export function startReplay(body: ReplayRequest, idempotencyKey: string) {
  return postJson<ActionOutcome<Replay>>('/api/ops/replays', body, idempotencyKey);
}

export function useReplayStartMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: ReplayRequest; idempotencyKey: string }) =>
      startReplay(body, idempotencyKey),
    onSuccess: () => invalidate(client, affectedBy.replay),
  });
}
