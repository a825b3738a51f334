'use client';

import { permittedAction } from '@/components/ui/lazy-leaf';
import type { CompensateActionProps } from './compensate-action';

/** The compensate/resume form, loaded after first paint and only for roles that may compensate. */
export const LazyCompensateAction = permittedAction<CompensateActionProps>('saga.compensate', () =>
  import('./compensate-action').then((m) => m.CompensateAction),
);
