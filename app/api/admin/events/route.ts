import { adminRouteOptions } from '@/server/http/admin-guard';
import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { injectEvents, injectEventsInput } from '@/server/ops/admin';

export const dynamic = 'force-dynamic';

/**
 * Hands raw events to the embedded bus (e.g. a poison message on purpose). The engine validates them.
 * Up to 1 MB: one event may be an oversized payload (≤ 512 kB) sent on purpose to test its rejection.
 */
export const POST = route(
  { ...adminRouteOptions, schema: injectEventsInput, maxBodyBytes: 1024 * 1024 },
  ({ ops, caller, input, meta }) => injectEvents(ops, caller, meta, input.events),
);

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
