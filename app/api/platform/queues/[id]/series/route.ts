import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { getQueueSeries } from '@/server/ops/read/queues';
import { queueSeriesInput } from '@/server/ops/read/read.schema';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read', schema: queueSeriesInput }, ({ ops, caller, input, params }) =>
  getQueueSeries(ops, caller, { id: params.id ?? '', range: input.range }),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
