import { route } from '@/server/http/route';
import { getOpsContext } from '@/server/ops/context';
import { cancelRequest } from '@/server/ops/ops.schema';
import { cancelRedrive } from '@/server/ops/redrive';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'queue.redrive.cancel', schema: cancelRequest },
  async ({ caller, input, params, requestId, idempotencyKey }) =>
    cancelRedrive(await getOpsContext(), caller, params.id ?? '', input.reason, { requestId, idempotencyKey }),
);
