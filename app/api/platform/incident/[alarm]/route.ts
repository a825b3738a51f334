import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { getIncident } from '@/server/ops/read/incident';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'platform.read' }, ({ ops, caller, params }) =>
  getIncident(ops, caller, params.alarm ?? ''),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
