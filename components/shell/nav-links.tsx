'use client';

import { usePathname } from 'next/navigation';
import { PendingCountBadge } from '@/components/approvals/pending-count-badge';
import { AppLink } from '@/components/ui/app-link';
import type { Caller } from '@/server/auth/permissions.schema';

export const navItems = [
  { href: '/', label: 'Overview' },
  { href: '/alarms', label: 'Alarms' },
  { href: '/queues', label: 'Queues' },
  { href: '/sagas', label: 'Sagas' },
  { href: '/replays', label: 'Replays' },
  { href: '/approvals', label: 'Approvals' },
  { href: '/audit', label: 'Audit' },
] as const;

/** The console's sections; Approvals carries the count of requests waiting for the signed-in person. */
export function NavLinks({ caller }: { caller: Caller | null }) {
  const pathname = usePathname();
  return (
    <ul className="flex flex-col gap-1">
      {navItems.map((item) => {
        const active = item.href === '/' ? pathname === '/' : pathname.startsWith(item.href);
        return (
          <li key={item.href}>
            <AppLink
              href={item.href}
              aria-current={active ? 'page' : undefined}
              className={`block rounded px-3 py-2 text-sm ${
                active ? 'bg-accent/15 font-semibold text-fg' : 'text-fg-muted hover:bg-border/40 hover:text-fg'
              }`}
            >
              {item.label}
              {item.href === '/approvals' && caller ? (
                <PendingCountBadge callerId={caller.id} role={caller.role} />
              ) : null}
            </AppLink>
          </li>
        );
      })}
    </ul>
  );
}
