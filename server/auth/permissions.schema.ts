/**
 * The permission matrix: the single source for the server's checks, for what the UI offers,
 * and for the IAM policies of the operator roles in infra/ (infra/lib/constructs/operator-roles.ts).
 * Pure data: client code and the CDK app may import it.
 */
import { z } from 'zod';

export const roles = ['viewer', 'operator', 'approver', 'admin'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const permissions = [
  'platform.read', // alarms, queues, dead letters, sagas, replays, metrics
  'queue.redrive', // start a redrive (message-move task)
  'queue.redrive.cancel',
  'archive.replay', // preview and start a replay
  'archive.replay.cancel',
  'saga.compensate', // request a compensation or resume
  'approval.decide', // approve or reject someone else's guarded request
  'audit.read',
  'audit.export',
] as const;
export const permissionSchema = z.enum(permissions);
export type Permission = z.infer<typeof permissionSchema>;

const read: Permission[] = ['platform.read', 'audit.read'];

export const permissionMatrix: Record<Role, readonly Permission[]> = {
  viewer: read,
  operator: [
    ...read,
    'queue.redrive',
    'queue.redrive.cancel',
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

/** Who calls the platform: carried by every port call. */
export const callerSchema = z.object({
  id: z.string().min(1), // stable user id; SourceIdentity in AWS
  name: z.string(),
  role: roleSchema,
});
export type Caller = z.infer<typeof callerSchema>;
