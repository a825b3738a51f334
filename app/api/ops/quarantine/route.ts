import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { quarantineRequest } from '@/server/ops/ops.schema';
import { quarantine } from '@/server/ops/quarantine';

export const dynamic = 'force-dynamic';

/** POST /api/ops/quarantine: export a DLQ's permanent classes, then remove them (200 done, 202 waiting for approval). */
export const POST = route(
  { permission: 'queue.quarantine', schema: quarantineRequest },
  ({ ops, caller, input, meta }) => quarantine(ops, caller, input, meta),
);

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
