import { auditFilterSchema } from '@/server/audit/audit.schema';
import { route } from '@/server/http/route';
import { listAudit } from '@/server/ops/audit';
import { getOpsContext } from '@/server/ops/context';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'audit.read', schema: auditFilterSchema }, async ({ input }) =>
  listAudit(await getOpsContext(), input),
);
