import { outcomeResponse } from '@/server/http/outcome';
import { route } from '@/server/http/route';
import { getOpsContext } from '@/server/ops/context';
import { redriveRequest } from '@/server/ops/ops.schema';
import { startRedrive } from '@/server/ops/redrive';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'queue.redrive', schema: redriveRequest },
  async ({ caller, input, requestId, idempotencyKey }) =>
    outcomeResponse(await startRedrive(await getOpsContext(), caller, input, { requestId, idempotencyKey }), requestId),
);
