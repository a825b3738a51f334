import { listQueues } from '@/server/ops/read/queues';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read' }, ({ caller }) => listQueues(caller));
