import { approvalListQuery } from '@/server/approvals/approval.schema';
import { route } from '@/server/http/route';
import { listApprovals } from '@/server/ops/approvals';
import { getOpsContext } from '@/server/ops/context';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'audit.read', schema: approvalListQuery }, async ({ input }) => ({
  items: listApprovals(await getOpsContext(), input),
}));
