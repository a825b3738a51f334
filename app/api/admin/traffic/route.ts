import { trafficKnobsPatchSchema } from '@/infra/embedded/traffic.schema';
import { adminRouteOptions } from '@/server/http/admin-guard';
import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { changeTraffic, readKnobs } from '@/server/ops/admin';

export const dynamic = 'force-dynamic';

/** The embedded platform's traffic and fault knobs. */
export const GET = route(adminRouteOptions, () => readKnobs());

/** Changes some knobs (unknown or invalid fields: 422 naming the field). */
export const PUT = route({ ...adminRouteOptions, schema: trafficKnobsPatchSchema }, ({ ops, caller, input, meta }) =>
  changeTraffic(ops, caller, meta, input),
);

export const { POST, PATCH, DELETE, OPTIONS } = otherMethods({ GET, PUT });
