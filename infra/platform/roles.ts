/**
 * The permission matrix as plain data (no zod), so client components can ask `can()` without
 * shipping a validation library. permissions.schema.ts adds the zod schemas around it.
 * The single source for the server's checks, what the UI offers, and the IAM policies of the
 * operator roles in infra/ (infra/lib/constructs/operator-roles.ts).
 */
export const roles = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'platform.read', // alarms, queues, dead letters, sagas, replays, metrics
  'queue.redrive', // start a redrive (message-move task)
  'queue.redrive.cancel',
  'queue.quarantine', // delete exported dead letters from a DLQ (quarantine)
  'archive.replay', // preview and start a replay
  'archive.replay.cancel',
  'saga.compensate', // request a compensation or resume
  'approval.decide', // approve or reject someone else's guarded request
  'audit.read',
  'audit.export',
  'platform.admin', // the local fault API (traffic, faults, raw events, DLQ purge); no AWS counterpart
] as const;
export type Permission = (typeof permissions)[number];

const read: Permission[] = ['platform.read', 'audit.read'];

export const permissionMatrix: Record<Role, readonly Permission[]> = {
  viewer: read,
  operator: [
    ...read,
    'queue.redrive',
    'queue.redrive.cancel',
    'queue.quarantine',
    'archive.replay',
    'archive.replay.cancel',
    'saga.compensate',
  ],
  approver: [...read, 'approval.decide', 'audit.export'],
  admin: permissions,
};

export function can(role: Role, permission: Permission): boolean {
  return permissionMatrix[role].includes(permission);
}
