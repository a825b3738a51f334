import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { listFailureClasses } from '@/server/ops/read/triage';

export const dynamic = 'force-dynamic';

/** GET /api/platform/queues/[id]/failure-classes: the DLQ's failure classes (counts, first/last seen, sample, verdict). */
export const GET = route({ permission: 'platform.read' }, ({ ops, caller, params }) =>
  listFailureClasses(ops, caller, params.id ?? ''),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
