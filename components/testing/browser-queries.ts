/**
 * Test support: makes TanStack Query behave as in the browser (interval refetches run; it skips
 * them on the server) with fake timers, for each test of the calling file; restores both, and
 * any stubbed global (fetch), after each.
 */
import { environmentManager } from '@tanstack/react-query';
import { afterEach, beforeEach, vi } from 'vitest';

export function queriesAsInTheBrowser(): void {
  beforeEach(() => {
    environmentManager.setIsServer(() => false);
    vi.useFakeTimers();
  });
  afterEach(() => {
    environmentManager.setIsServer(() => typeof window === 'undefined');
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
}
