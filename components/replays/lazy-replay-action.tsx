'use client';

import { permittedAction } from '@/components/ui/lazy-leaf';
import type { ReplayActionProps } from './replay-action';

/** The replay form, loaded after first paint and only for roles that may replay. */
export const LazyReplayAction = permittedAction<ReplayActionProps>('archive.replay', () =>
  import('./replay-action').then((m) => m.ReplayAction),
);
