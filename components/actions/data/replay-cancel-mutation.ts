'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Replay } from '@/server/platform/platform.schema';
import { newIdempotencyKey, postJson } from '../api';
import { affectedBy, invalidate } from './invalidate';
import { actionKeys } from './keys';

export function cancelReplay(name: string, reason: string) {
  return postJson<Replay>(`/api/ops/replays/${encodeURIComponent(name)}/cancel`, { reason }, newIdempotencyKey());
}

export function useReplayCancelMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ name, reason }: { name: string; reason: string }) => cancelReplay(name, reason),
    onSuccess: (_r, { name }) => invalidate(client, [actionKeys.replayStatus(name), ...affectedBy.replay]),
  });
}
