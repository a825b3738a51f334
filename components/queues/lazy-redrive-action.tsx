'use client';

import { permittedAction } from '@/components/ui/lazy-leaf';
import type { RedriveActionProps } from './redrive-action';

/** The redrive form, loaded after first paint and only for roles that may redrive. */
export const LazyRedriveAction = permittedAction<RedriveActionProps>('queue.redrive', () =>
  import('./redrive-action').then((m) => m.RedriveAction),
);
