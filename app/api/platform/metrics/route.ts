import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { getMetrics } from '@/server/ops/read/metrics';
import { metricsRouteInput } from '@/server/ops/read/read.schema';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read', schema: metricsRouteInput }, ({ ops, caller, input }) =>
  getMetrics(ops, caller, input),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
