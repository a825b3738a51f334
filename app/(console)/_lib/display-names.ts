import 'server-only';
import type { DisplayNames } from '@/components/ui/display-name';
import type { Caller } from '@/server/auth/permissions.schema';
import { seededUsers } from '@/server/auth/users';

/**
 * Display names of the people a page's rows may name (who started a replay or redrive): the
 * local backend's seeded users and the caller. Any other id (another IdP user, a role ARN on
 * AWS) shows as it is (components/ui/display-name.ts).
 */
export function displayNames(caller: Caller | null): DisplayNames {
  const names: Record<string, string> = Object.fromEntries(seededUsers.map((u) => [u.id, u.name]));
  if (caller) names[caller.id] = caller.name;
  return names;
}
