import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { listDeadLetters } from '@/server/ops/read/queues';
import { deadLettersRouteInput } from '@/server/ops/read/read.schema';

export const dynamic = 'force-dynamic';

export const GET = route(
  { permission: 'platform.read', schema: deadLettersRouteInput },
  ({ ops, caller, input, params }) => listDeadLetters(ops, caller, { ...input, queueId: params.id ?? '' }),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
