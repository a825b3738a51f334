'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { newIdempotencyKey, postJson } from '@/components/providers/api-post';
import { affectedBy, invalidate } from '@/components/providers/invalidate';
import type { Replay } from '@/server/platform/platform.schema';
import { replayKeys } from './keys';

export function cancelReplay(name: string, reason: string) {
  return postJson<Replay>(`/api/ops/replays/${encodeURIComponent(name)}/cancel`, { reason }, newIdempotencyKey());
}

export function useReplayCancelMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ name, reason }: { name: string; reason: string }) => cancelReplay(name, reason),
    onSuccess: (_r, { name }) => invalidate(client, [replayKeys.status(name), ...affectedBy.replay]),
  });
}
