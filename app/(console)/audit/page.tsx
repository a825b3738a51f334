import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuditFilter } from '@/components/audit/audit-filter';
import { AuditIntegrity } from '@/components/audit/audit-integrity';
import { AuditTable } from '@/components/audit/audit-table';
import { PageHeader } from '@/components/ui/page-header';
import { auditFilterSchema } from '@/server/audit/audit.schema';
import { can } from '@/server/auth/permissions.schema';
import { getCaller } from '@/server/auth/session';
import { auditArchiveLocation } from '@/server/db/state';
import { listAudit } from '@/server/ops/audit';
import { opsFor } from '@/server/ops/server-context';

export const metadata: Metadata = { title: 'Audit' };
export const dynamic = 'force-dynamic';

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const caller = await getCaller();
  if (!caller) redirect('/sign-in?next=/audit');
  const raw = Object.fromEntries(
    Object.entries(await searchParams).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  );
  const parsed = auditFilterSchema.safeParse(raw);
  const query = parsed.success ? Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'cursor')) : {};
  const ops = await opsFor(caller, 'audit.read');
  const page = ops
    ? await listAudit(ops, parsed.success ? parsed.data : auditFilterSchema.parse({}))
    : { items: [], nextCursor: null };
  const verification = ops ? await ops.audit.verify() : null;
  return (
    <>
      <PageHeader title="Audit" description="Every operator request, approval and outcome. Append-only." />
      {parsed.success ? null : (
        <p role="alert" className="mb-3 text-sm text-danger">
          {parsed.error.issues[0]?.path.join('.')}: {parsed.error.issues[0]?.message}
        </p>
      )}
      {verification ? <AuditIntegrity verification={verification} archive={auditArchiveLocation()} /> : null}
      <AuditFilter query={query} />
      <AuditTable page={page} query={query} canExport={can(caller.role, 'audit.export')} />
    </>
  );
}
