import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { redrivesRouteInput } from '@/server/ops/read/read.schema';
import { listRedrives } from '@/server/ops/read/replays';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read', schema: redrivesRouteInput }, ({ ops, caller, input }) =>
  listRedrives(ops, caller, input),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
