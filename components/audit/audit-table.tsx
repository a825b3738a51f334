import { AppLink } from '@/components/ui/app-link';
import type { AuditPage } from '@/server/audit/audit.schema';

/** One page of the audit log (newest first) with the filter kept in the links. */
export function AuditTable({
  page,
  query,
  canExport,
}: {
  page: AuditPage;
  query: Record<string, string>;
  canExport: boolean;
}) {
  const qs = (extra: Record<string, string>) => new URLSearchParams({ ...query, ...extra }).toString();
  return (
    <div className="flex flex-col gap-3">
      {canExport ? (
        <div className="flex gap-3 text-sm">
          <a className="underline" href={`/api/audit/export?${qs({ format: 'csv' })}`}>
            Export CSV
          </a>
          <a className="underline" href={`/api/audit/export?${qs({ format: 'json' })}`}>
            Export JSON
          </a>
        </div>
      ) : null}
      {page.items.length === 0 ? (
        <p className="rounded border border-dashed border-border p-6 text-center text-sm text-fg-muted">
          No audit entries match this filter.
        </p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="text-fg-muted">
              <tr>
                <th className="p-2">When (UTC)</th>
                <th className="p-2">Who</th>
                <th className="p-2">Action</th>
                <th className="p-2">Outcome</th>
                <th className="p-2">Target</th>
                <th className="p-2">Reason</th>
                <th className="p-2">Ticket</th>
                <th className="p-2">Request</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((e) => (
                <tr key={e.seq} className="border-t border-border align-top">
                  <td className="p-2 whitespace-nowrap tabular-nums">{e.at.replace('T', ' ').slice(0, 19)}</td>
                  <td className="p-2">
                    {e.actorName} <span className="text-xs text-fg-muted">({e.role})</span>
                  </td>
                  <td className="p-2 font-mono text-xs">{e.action}</td>
                  <td className="p-2">{e.outcome}</td>
                  <td className="p-2 font-mono text-xs">{e.target ?? '—'}</td>
                  <td className="p-2">{e.reason ?? '—'}</td>
                  <td className="p-2">{e.ticket ?? '—'}</td>
                  <td className="p-2 font-mono text-xs">{e.requestId.slice(0, 8)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.nextCursor ? (
        <AppLink className="self-start text-sm underline" href={`/audit?${qs({ cursor: String(page.nextCursor) })}`}>
          Older entries
        </AppLink>
      ) : null}
    </div>
  );
}
