'use client';

import { permittedAction } from '@/components/ui/lazy-leaf';
import type { QuarantineActionProps } from './quarantine-action';

/** The quarantine panel, loaded after first paint and only for roles that may quarantine. */
export const LazyQuarantineAction = permittedAction<QuarantineActionProps>('queue.quarantine', () =>
  import('./quarantine-action').then((m) => m.QuarantineAction),
);
