import { adminRouteOptions } from '@/server/http/admin-guard';
import { route } from '@/server/http/route';
import { purgeDeadLetters, purgeDeadLettersInput } from '@/server/ops/admin';

export const dynamic = 'force-dynamic';

/** POST /api/admin/dead-letters/purge { queue: "processing" }: empties that queue's DLQ (local only). */
export const POST = route({ ...adminRouteOptions, schema: purgeDeadLettersInput }, ({ ops, caller, input, meta }) =>
  purgeDeadLetters(ops, caller, meta, input.queue),
);
