import { auditActions, auditOutcomes } from '@/server/audit/audit-vocabulary.schema';

const field = 'rounded border border-border bg-surface px-2 py-1.5 text-sm text-fg';

/** A GET form: the filter lives in the URL (shareable, works without JavaScript). */
export function AuditFilter({ query }: { query: Record<string, string> }) {
  return (
    <form method="get" action="/audit" className="mb-4 flex flex-wrap items-end gap-2" aria-label="Filter audit log">
      <label className="flex flex-col gap-1 text-sm">
        Who
        <input name="actor" defaultValue={query.actor} className={field} />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Action
        <select name="action" defaultValue={query.action ?? ''} className={field}>
          <option value="">Any</option>
          {auditActions.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Outcome
        <select name="outcome" defaultValue={query.outcome ?? ''} className={field}>
          <option value="">Any</option>
          {auditOutcomes.map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Text (target, reason, ticket, request id)
        <input name="q" defaultValue={query.q} className={field} />
      </label>
      <button type="submit" className="rounded bg-accent px-3 py-1.5 text-sm font-semibold text-surface">
        Filter
      </button>
    </form>
  );
}
