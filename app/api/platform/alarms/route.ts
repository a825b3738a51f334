import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { listAlarms } from '@/server/ops/read/alarms';
import { alarmsRouteInput } from '@/server/ops/read/read.schema';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read', schema: alarmsRouteInput }, ({ ops, caller, input }) =>
  listAlarms(ops, caller, input),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
