import 'server-only';
import { can, type Caller, type Permission } from '../auth/permissions.schema';
import { PlatformError, type Platform } from './port';

/** The port's calls that act for a caller (everything but `kind` and `ping`). */
export type PlatformCall = Exclude<keyof Platform, 'kind' | 'ping'>;

/**
 * The permission each port call needs: one table for both adapters. The route wrapper checks the
 * route's permission first; an adapter checks this table once per call, the way the platform
 * itself would (IAM on AWS: the operator role's policy mirrors the same matrix).
 */
export const callPermission = {
  listRegions: 'platform.read',
  listAlarms: 'platform.read',
  getAlarm: 'platform.read',
  listQueuePairs: 'platform.read',
  listDeadLetters: 'platform.read',
  listFailureClasses: 'platform.read',
  searchDeadLetters: 'platform.read',
  exportDeadLetters: 'platform.read',
  listRedrives: 'platform.read',
  getRedrive: 'platform.read',
  listArchives: 'platform.read',
  listReplays: 'platform.read',
  getReplay: 'platform.read',
  listSagas: 'platform.read',
  getSaga: 'platform.read',
  getMetricSeries: 'platform.read',
  getLedgerSummary: 'platform.read',
  startRedrive: 'queue.redrive',
  cancelRedrive: 'queue.redrive.cancel',
  removeDeadLetters: 'queue.quarantine',
  previewReplay: 'archive.replay',
  startReplay: 'archive.replay',
  cancelReplay: 'archive.replay.cancel',
  previewCompensation: 'saga.compensate',
  compensate: 'saga.compensate',
} as const satisfies Record<PlatformCall, Permission>;

/** Throws Forbidden unless the caller's role may make this call. */
export function authorizeCall(caller: Caller, call: PlatformCall): void {
  const permission = callPermission[call];
  if (!can(caller.role, permission)) {
    throw new PlatformError('Forbidden', `role ${caller.role} does not have the ${permission} permission`);
  }
}
