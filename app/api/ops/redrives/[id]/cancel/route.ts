import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { cancelRequest } from '@/server/ops/ops.schema';
import { cancelRedrive } from '@/server/ops/redrive';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'queue.redrive.cancel', schema: cancelRequest },
  ({ ops, caller, input, params, meta }) => cancelRedrive(ops, caller, params.id ?? '', input.reason, meta),
);

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
