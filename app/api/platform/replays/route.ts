import { listReplays } from '@/server/ops/read/replays';
import { pageRouteInput } from '@/server/ops/read/read.schema';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read', schema: pageRouteInput }, ({ caller, input }) =>
  listReplays(caller, input),
);
