import { auditExportSchema } from '@/server/audit/audit.schema';
import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { exportAudit, toCsv } from '@/server/ops/audit';

export const dynamic = 'force-dynamic';

/** The filtered audit log as a CSV or JSON download. */
export const GET = route({ permission: 'audit.export', schema: auditExportSchema }, async ({ ops, input }) => {
  const entries = await exportAudit(ops, input);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const csv = input.format === 'csv';
  return new Response(csv ? toCsv(entries) : JSON.stringify(entries, null, 2), {
    headers: {
      'content-type': csv ? 'text/csv; charset=utf-8' : 'application/json',
      'content-disposition': `attachment; filename="ledgerline-audit-${stamp}.${input.format}"`,
      'cache-control': 'no-store',
    },
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
