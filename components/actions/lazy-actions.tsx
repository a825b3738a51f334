'use client';

import { clientOnly } from '@/components/ui/lazy-leaf';
import { can } from '@/infra/platform/roles';
import type { CompensateActionProps } from './compensate-action';
import type { RedriveActionProps } from './redrive-action';
import type { ReplayActionProps } from './replay-action';

/**
 * The action forms, loaded after the page's first paint (they are not needed to show the data,
 * and keeping them out of first-load JS keeps each route under its budget). The permission
 * check runs first, so a role that may not act never downloads the form's code.
 */
const loadRedrive = () => import('./redrive-action').then((m) => m.RedriveAction);
const loadReplay = () => import('./replay-action').then((m) => m.ReplayAction);
const loadCompensate = () => import('./compensate-action').then((m) => m.CompensateAction);

const Redrive = clientOnly(loadRedrive);
const Replay = clientOnly(loadReplay);
const Compensate = clientOnly(loadCompensate);

export function LazyRedriveAction(props: RedriveActionProps) {
  return can(props.role, 'queue.redrive') ? <Redrive {...props} /> : null;
}

export function LazyReplayAction(props: ReplayActionProps) {
  return can(props.role, 'archive.replay') ? <Replay {...props} /> : null;
}

export function LazyCompensateAction(props: CompensateActionProps) {
  return can(props.role, 'saga.compensate') ? <Compensate {...props} /> : null;
}
