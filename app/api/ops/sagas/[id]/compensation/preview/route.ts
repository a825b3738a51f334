import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { previewCompensation } from '@/server/ops/compensate';
import { compensationPreviewRequest } from '@/server/ops/ops.schema';

export const dynamic = 'force-dynamic';

/** The ledger effect of compensating (or resuming) this saga; changes nothing. */
export const POST = route(
  { permission: 'saga.compensate', schema: compensationPreviewRequest },
  ({ ops, caller, input, params }) => previewCompensation(ops, caller, params.id ?? '', input.mode),
);

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
