import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { getSaga } from '@/server/ops/read/sagas';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read' }, ({ ops, caller, params }) =>
  getSaga(ops, caller, params.id ?? ''),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
