import { adminRouteOptions } from '@/server/http/admin-guard';
import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { purgeDeadLetters, purgeDeadLettersInput } from '@/server/ops/admin';

export const dynamic = 'force-dynamic';

/** POST /api/admin/dead-letters/purge { queue: "processing" }: empties that queue's DLQ (local only). */
export const POST = route({ ...adminRouteOptions, schema: purgeDeadLettersInput }, ({ ops, caller, input, meta }) =>
  purgeDeadLetters(ops, caller, meta, input.queue),
);

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
