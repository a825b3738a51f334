'use client';

import { useEffect, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { useLiveEnabled } from '@/components/live/live-context';
import { LiveStatus } from '@/components/live/live-status';

/** How often the server-rendered approvals list re-renders while live updates are on. */
export const APPROVALS_REFRESH_MS = 10_000;

/**
 * Keeps the server-rendered approvals list current without a reload: re-renders it every
 * APPROVALS_REFRESH_MS (router.refresh keeps what an approver is typing), unless live updates
 * are paused, and shows when it was rendered with the pause switch.
 */
export function ApprovalsLive({ renderedAt }: { renderedAt: number }) {
  const router = useRouter();
  const live = useLiveEnabled();
  const [refreshing, startRefresh] = useTransition();
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => startRefresh(() => router.refresh()), APPROVALS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [live, router]);
  return <LiveStatus updatedAt={renderedAt} fetching={refreshing} />;
}
