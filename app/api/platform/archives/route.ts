import { route } from '@/server/http/route';
import { listArchives } from '@/server/ops/read/replays';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read' }, ({ ops, caller }) => listArchives(ops, caller));
