'use client';

import { useSyncExternalStore } from 'react';

/**
 * Which FAILED sagas this browser keeps watching because the operator acted on them.
 *
 * A FAILED saga is terminal, so its queries stop polling; but it is exactly the saga one
 * compensates, and under the default policy the request waits for a second person's approval.
 * While such a request is pending (until it is decided or expires) or shortly after a
 * compensation started, the saga keeps polling so the approved compensation appears without a
 * reload. Bounded: a watch ends at its deadline, or when the request is rejected, expires or fails.
 */
export const COMPENSATION_WATCH_MS = 2 * 60_000;

const deadlines = new Map<string, number>();
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

/** Watch `sagaId` until `until` (epoch ms): replaces any earlier deadline. */
export function watchCompensation(sagaId: string, until: number): void {
  deadlines.set(sagaId, until);
  notify();
}

export function endCompensationWatch(sagaId: string): void {
  if (deadlines.delete(sagaId)) notify();
}

/** The watch's deadline (epoch ms), or 0 when nobody acted on this saga here. */
export function compensationWatchUntil(sagaId: string): number {
  return deadlines.get(sagaId) ?? 0;
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function useCompensationWatch(sagaId: string): number {
  return useSyncExternalStore(
    subscribe,
    () => compensationWatchUntil(sagaId),
    () => 0,
  );
}
