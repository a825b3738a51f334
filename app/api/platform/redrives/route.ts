import { listRedrives } from '@/server/ops/read/replays';
import { redrivesRouteInput } from '@/server/ops/read/read.schema';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read', schema: redrivesRouteInput }, ({ caller, input }) =>
  listRedrives(caller, input),
);
