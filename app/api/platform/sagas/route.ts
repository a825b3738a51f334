import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { sagasRouteInput } from '@/server/ops/read/read.schema';
import { listSagas } from '@/server/ops/read/sagas';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read', schema: sagasRouteInput }, ({ ops, caller, input }) =>
  listSagas(ops, caller, input),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
