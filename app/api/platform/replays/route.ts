import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { pageRouteInput } from '@/server/ops/read/read.schema';
import { listReplays } from '@/server/ops/read/replays';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read', schema: pageRouteInput }, ({ ops, caller, input }) =>
  listReplays(ops, caller, input),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
