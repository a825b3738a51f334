import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { decideApproval } from '@/server/ops/approvals';
import { approvalDecisionRequest } from '@/server/ops/ops.schema';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'approval.decide', schema: approvalDecisionRequest },
  ({ ops, caller, input, params, meta }) => decideApproval(ops, caller, params.id ?? '', input, meta),
);

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
