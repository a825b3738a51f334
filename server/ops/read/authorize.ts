import 'server-only';
import { can, type Caller } from '@/server/auth/permissions.schema';
import { PlatformError } from '@/server/platform/port';

/** Every read verb checks the matrix itself too (routes check first; defence in depth). */
export function assertCanRead(caller: Caller): void {
  if (!can(caller.role, 'platform.read')) {
    throw new PlatformError('Forbidden', `Your role (${caller.role}) does not allow platform.read`);
  }
}
