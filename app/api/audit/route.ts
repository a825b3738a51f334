import { auditFilterSchema } from '@/server/audit/audit.schema';
import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { listAudit } from '@/server/ops/audit';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'audit.read', schema: auditFilterSchema }, ({ ops, input }) =>
  listAudit(ops, input),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
