import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { getOverview } from '@/server/ops/read/overview';
import { overviewInput } from '@/server/ops/read/read.schema';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read', schema: overviewInput }, ({ ops, caller, input }) =>
  getOverview(ops, caller, input),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
