import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { redriveRequest } from '@/server/ops/ops.schema';
import { startRedrive } from '@/server/ops/redrive';

export const dynamic = 'force-dynamic';

export const POST = route({ permission: 'queue.redrive', schema: redriveRequest }, ({ ops, caller, input, meta }) =>
  startRedrive(ops, caller, input, meta),
);

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
