import type { AuditVerification } from '@/server/audit/audit.schema';

/**
 * Whether the audit log's hash chain verifies (every writer's chain, from its first entry), and
 * where its locked copy is (the Object Lock bucket on AWS; none locally).
 */
export function AuditIntegrity({ verification, archive }: { verification: AuditVerification; archive: string | null }) {
  const where = verification.writer ? ` in the chain of writer ${verification.writer}` : '';
  return (
    <section aria-label="Audit log integrity" className="mb-3 flex flex-col gap-1 text-sm">
      {verification.ok ? (
        <p>Hash chain verified: no entry has been changed or removed since it was written.</p>
      ) : (
        <p role="alert" className="text-danger">
          Hash chain broken at entry {verification.brokenAt}
          {where}: the log was changed outside the console.
        </p>
      )}
      <p className="text-fg-muted">
        Locked copy: {archive ? <code>{archive}</code> : 'none (local backend: the log is kept only in console.db)'}
      </p>
    </section>
  );
}
