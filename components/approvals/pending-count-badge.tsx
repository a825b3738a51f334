'use client';

import { can, type Role } from '@/infra/platform/roles';
import { PENDING_LIMIT } from './data/keys';
import { usePendingApprovalsQuery, waitingFor } from './data/pending-approvals-query';

/**
 * How many approval requests wait for the signed-in person (someone else's, and only for a role
 * that may decide): for the navigation's "Approvals" link. Nothing while there are none.
 */
export function PendingCountBadge({ callerId, role }: { callerId: string; role: Role }) {
  const mayDecide = can(role, 'approval.decide');
  const query = usePendingApprovalsQuery(mayDecide);
  const items = query.data;
  if (!mayDecide || !items) return null;
  const n = waitingFor(items, { id: callerId, role }).length;
  if (n === 0) return null;
  const shown = items.length >= PENDING_LIMIT ? `${n}+` : String(n);
  return (
    <span data-testid="pending-approvals-count">
      <span
        aria-hidden="true"
        className="ml-2 inline-block min-w-5 rounded-full bg-warn px-1.5 text-center text-xs font-semibold text-surface"
      >
        {shown}
      </span>
      <span className="sr-only">, {shown} waiting for your approval</span>
    </span>
  );
}
