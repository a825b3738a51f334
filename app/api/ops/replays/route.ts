import { outcomeResponse } from '@/server/http/outcome';
import { route } from '@/server/http/route';
import { getOpsContext } from '@/server/ops/context';
import { replayRequest } from '@/server/ops/ops.schema';
import { startReplay } from '@/server/ops/replay';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'archive.replay', schema: replayRequest },
  async ({ caller, input, requestId, idempotencyKey }) =>
    outcomeResponse(await startReplay(await getOpsContext(), caller, input, { requestId, idempotencyKey }), requestId),
);
