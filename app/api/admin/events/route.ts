import { adminRouteOptions } from '@/server/http/admin-guard';
import { route } from '@/server/http/route';
import { injectEvents, injectEventsInput } from '@/server/ops/admin';

export const dynamic = 'force-dynamic';

/** Hands raw events to the embedded bus (e.g. a poison message on purpose). The engine validates them. */
export const POST = route({ ...adminRouteOptions, schema: injectEventsInput }, ({ ops, caller, input, meta }) =>
  injectEvents(ops, caller, meta, input.events),
);
