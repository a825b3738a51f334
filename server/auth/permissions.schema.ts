/**
 * Roles, permissions and the caller, as zod schemas around the plain matrix in
 * infra/platform/roles.ts (the single source for checks, UI and the CDK operator roles).
 * Pure: client code and the CDK app may import it; client components that only need `can()`
 * import infra/platform/roles.ts and stay free of zod.
 */
import { z } from 'zod';
import { permissions, roles } from '../../infra/platform/roles';

export { can, permissionMatrix, permissions, roles, type Permission, type Role } from '../../infra/platform/roles';

export const roleSchema = z.enum(roles);
export const permissionSchema = z.enum(permissions);

/** Who calls the platform: carried by every port call. */
export const callerSchema = z.object({
  id: z.string().min(1), // stable user id; SourceIdentity in AWS
  name: z.string(),
  role: roleSchema,
});
export type Caller = z.infer<typeof callerSchema>;
