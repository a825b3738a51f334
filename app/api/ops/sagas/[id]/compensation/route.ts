import { HttpError } from '@/server/http/errors';
import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { reconciliation, requestCompensation } from '@/server/ops/compensate';
import { compensationRequest } from '@/server/ops/ops.schema';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'saga.compensate', schema: compensationRequest },
  ({ ops, caller, input, params, meta }) => requestCompensation(ops, caller, params.id ?? '', input, meta),
);

/** Reconciliation: the saga's state and the ledger summary (balanced = money conserved). */
export const GET = route({ permission: 'platform.read' }, async ({ ops, caller, params }) => {
  const result = await reconciliation(ops, caller, params.id ?? '');
  if (!result) throw new HttpError(404, 'NotFound', `sagaId: no saga ${params.id}`, 'sagaId');
  return result;
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET, POST });
