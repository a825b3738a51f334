import { approvalListQuery } from '@/server/approvals/approval.schema';
import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { listApprovals } from '@/server/ops/approvals';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'audit.read', schema: approvalListQuery }, async ({ ops, input }) => ({
  items: await listApprovals(ops, input),
}));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
