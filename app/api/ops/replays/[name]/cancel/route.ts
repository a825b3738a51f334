import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { cancelRequest } from '@/server/ops/ops.schema';
import { cancelReplay } from '@/server/ops/replay';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'archive.replay.cancel', schema: cancelRequest },
  ({ ops, caller, input, params, meta }) => cancelReplay(ops, caller, params.name ?? '', input.reason, meta),
);

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
