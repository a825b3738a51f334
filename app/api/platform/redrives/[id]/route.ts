import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { getRedrive } from '@/server/ops/read/replays';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read' }, ({ ops, caller, params }) =>
  getRedrive(ops, caller, params.id ?? ''),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
