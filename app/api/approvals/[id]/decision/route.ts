import { route } from '@/server/http/route';
import { decideApproval } from '@/server/ops/approvals';
import { getOpsContext } from '@/server/ops/context';
import { approvalDecisionRequest } from '@/server/ops/ops.schema';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'approval.decide', schema: approvalDecisionRequest },
  async ({ caller, input, params, requestId, idempotencyKey }) =>
    decideApproval(await getOpsContext(), caller, params.id ?? '', input, { requestId, idempotencyKey }),
);
