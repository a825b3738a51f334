import { can, permissions, type Permission, type Role } from '@/infra/platform/roles';

const readPermissions = new Set<Permission>(['platform.read', 'audit.read']);

/** True when the role may only look: no permission beyond reading. */
export function isReadOnly(role: Role): boolean {
  return !permissions.some((p) => !readPermissions.has(p) && can(role, p));
}

/** Tells a read-only caller why the pages offer no actions (rendered on the server: no shift). */
export function ReadOnlyNotice({ role }: { role: Role }) {
  if (!isReadOnly(role)) return null;
  return (
    <p
      data-testid="read-only-notice"
      className="border-b border-border bg-surface px-4 py-1.5 text-xs text-fg-muted md:px-6"
    >
      <strong className="font-semibold text-fg">Read-only.</strong> You are signed in as a {role}: you can see
      everything, but redrive, replay, compensate and approve need an operator or approver.
    </p>
  );
}
