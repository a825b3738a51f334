import { route } from '@/server/http/route';
import { getOpsContext } from '@/server/ops/context';
import { cancelRequest } from '@/server/ops/ops.schema';
import { cancelReplay } from '@/server/ops/replay';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'archive.replay.cancel', schema: cancelRequest },
  async ({ caller, input, params, requestId, idempotencyKey }) =>
    cancelReplay(await getOpsContext(), caller, params.name ?? '', input.reason, { requestId, idempotencyKey }),
);
