import { z } from 'zod';
import { adminRouteOptions } from '@/server/http/admin-guard';
import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { setFault } from '@/server/ops/admin';

export const dynamic = 'force-dynamic';

/**
 * POST /api/admin/faults/{outage|poison|insufficient-funds|duplicates|slow-consumer|processor-outage|clear}
 * Bodies: { step: "SettlePayment" | null } · { ratio: 0..1 } · { ms: 0..60000 } · {} (server/ops/admin.ts).
 */
export const POST = route({ ...adminRouteOptions, schema: z.unknown() }, ({ ops, caller, input, params, meta }) =>
  setFault(ops, caller, meta, params.fault ?? '', input),
);

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
