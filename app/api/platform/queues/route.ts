import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { listQueues } from '@/server/ops/read/queues';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read' }, ({ ops, caller }) => listQueues(ops, caller));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
