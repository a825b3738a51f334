import { route } from '@/server/http/route';
import { getSaga } from '@/server/ops/read/sagas';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read' }, ({ caller, params }) => getSaga(caller, params.id ?? ''));
