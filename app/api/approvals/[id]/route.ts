import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { getApproval } from '@/server/ops/approvals';

export const dynamic = 'force-dynamic';

/** One approval request with its status and, once it ran, its result (404 for an unknown id). */
export const GET = route({ permission: 'audit.read' }, ({ ops, params }) => getApproval(ops, params.id ?? ''));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
