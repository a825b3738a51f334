import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { replayRequest } from '@/server/ops/ops.schema';
import { startReplay } from '@/server/ops/replay';

export const dynamic = 'force-dynamic';

export const POST = route({ permission: 'archive.replay', schema: replayRequest }, ({ ops, caller, input, meta }) =>
  startReplay(ops, caller, input, meta),
);

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
