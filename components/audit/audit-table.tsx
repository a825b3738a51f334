import { AppLink } from '@/components/ui/app-link';
import type { AuditPage } from '@/server/audit/audit.schema';

const MAX_VALUE = 160;

/**
 * The outcome's detail from an entry's `result` JSON: the error text of a failed action, else its
 * fields (task id, totals, who approved) as `key value` pairs. The reason has its own column.
 */
export function auditResultSummary(result: string | null): { text: string; error: boolean } | null {
  if (!result) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(result);
  } catch {
    return { text: result.slice(0, MAX_VALUE), error: false };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return parsed === null ? null : { text: JSON.stringify(parsed).slice(0, MAX_VALUE), error: false };
  }
  const fields = parsed as Record<string, unknown>;
  if (typeof fields.error === 'string') {
    const code = typeof fields.code === 'string' ? ` (${fields.code})` : '';
    return { text: `${fields.error}${code}`, error: true };
  }
  const parts = Object.entries(fields)
    .filter(([k, v]) => k !== 'reason' && v !== null && v !== undefined)
    .map(([k, v]) => `${k} ${(typeof v === 'string' ? v : JSON.stringify(v)).slice(0, MAX_VALUE)}`);
  return parts.length ? { text: parts.join(' · '), error: false } : null;
}

function ResultCell({ result }: { result: string | null }) {
  const summary = auditResultSummary(result);
  if (!summary) return <>—</>;
  return <span className={summary.error ? 'text-danger' : 'text-xs'}>{summary.text}</span>;
}

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
        <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Audit entries">
          <table className="w-full text-left text-sm">
            <thead className="text-fg-muted">
              <tr>
                <th className="p-2">When (UTC)</th>
                <th className="p-2">Who</th>
                <th className="p-2">Action</th>
                <th className="p-2">Outcome</th>
                <th className="p-2">Result</th>
                <th className="p-2">Target</th>
                <th className="p-2">Reason</th>
                <th className="p-2">Ticket</th>
                <th className="p-2">Request</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((e) => (
                <tr key={`${e.seq}:${e.hash}`} className="border-t border-border align-top">
                  <td className="p-2 whitespace-nowrap tabular-nums">{e.at.replace('T', ' ').slice(0, 19)}</td>
                  <td className="p-2">
                    {e.actorName} <span className="text-xs text-fg-muted">({e.role})</span>
                  </td>
                  <td className="p-2 font-mono text-xs">{e.action}</td>
                  <td className="p-2">{e.outcome}</td>
                  <td className="p-2 break-words">
                    <ResultCell result={e.result} />
                  </td>
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
