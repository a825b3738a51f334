import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { sagaInterventions } from '@/server/ops/read/saga-interventions';

export const dynamic = 'force-dynamic';

/** Who asked for each compensation or resume of this saga, who approved it, how it ended (audit log). */
export const GET = route({ permission: 'audit.read' }, ({ ops, caller, params }) =>
  sagaInterventions(ops, caller, params.id ?? ''),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
