import { getRedrive } from '@/server/ops/read/replays';
import { route } from '@/server/http/route';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read' }, ({ caller, params }) => getRedrive(caller, params.id ?? ''));
