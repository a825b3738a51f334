import { HttpError } from '@/server/http/errors';
import { outcomeResponse } from '@/server/http/outcome';
import { route } from '@/server/http/route';
import { reconciliation, requestCompensation } from '@/server/ops/compensate';
import { getOpsContext } from '@/server/ops/context';
import { compensationRequest } from '@/server/ops/ops.schema';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'saga.compensate', schema: compensationRequest },
  async ({ caller, input, params, requestId, idempotencyKey }) =>
    outcomeResponse(
      await requestCompensation(await getOpsContext(), caller, params.id ?? '', input, { requestId, idempotencyKey }),
      requestId,
    ),
);

/** Reconciliation: the saga's state and the ledger summary (balanced = money conserved). */
export const GET = route({ permission: 'platform.read' }, async ({ caller, params }) => {
  const result = await reconciliation(await getOpsContext(), caller, params.id ?? '');
  if (!result) throw new HttpError(404, 'NotFound', `sagaId: no saga ${params.id}`, 'sagaId');
  return result;
});
