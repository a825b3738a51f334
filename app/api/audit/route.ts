import { auditFilterSchema } from '@/server/audit/audit.schema';
import { route } from '@/server/http/route';
import { listAudit } from '@/server/ops/audit';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'audit.read', schema: auditFilterSchema }, ({ ops, input }) =>
  listAudit(ops, input),
);
