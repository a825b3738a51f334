import { AppLink } from '@/components/ui/app-link';
import { formatTime } from '@/components/ui/format';
import { StateBadge } from '@/components/ui/status-badge';
import type { Incident } from '@/server/ops/read/read.schema';

/** The transactions the incident touched: their saga and dead letters. */
export function IncidentTransactions({ items, queueId }: { items: Incident['transactions']; queueId: string | null }) {
  if (!items.length)
    return (
      <p className="rounded border border-dashed border-border p-3 text-sm text-fg-muted">
        No transaction failed or was compensated in this window.
      </p>
    );
  return (
    <div
      tabIndex={0}
      role="region"
      aria-label="Transactions involved, scrollable"
      className="max-h-[32rem] overflow-y-auto rounded border border-border"
    >
      <table aria-label="Transactions involved" className="w-full bg-surface-raised text-left text-sm">
        <thead className="text-xs text-fg-muted">
          <tr>
            <th scope="col" className="px-3 py-2">
              Transaction
            </th>
            <th scope="col" className="px-3 py-2">
              Saga
            </th>
            <th scope="col" className="px-3 py-2">
              Dead letters
            </th>
            <th scope="col" className="px-3 py-2">
              First seen
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((t) => (
            <tr key={t.transactionId} className="border-t border-border">
              <td className="px-3 py-2 font-mono text-xs">{t.transactionId}</td>
              <td className="px-3 py-2">
                {t.sagaId ? (
                  <AppLink
                    href={`/sagas/${encodeURIComponent(t.sagaId)}`}
                    className="inline-flex items-center gap-2 text-accent underline"
                  >
                    {t.sagaStatus ? <StateBadge state={t.sagaStatus} /> : null} saga
                  </AppLink>
                ) : (
                  <span className="text-xs text-fg-muted">no saga</span>
                )}
              </td>
              <td className="px-3 py-2">
                {t.deadLetters && queueId ? (
                  <AppLink
                    href={`/queues/${encodeURIComponent(queueId)}?search=${encodeURIComponent(t.transactionId)}`}
                    className="text-accent underline"
                  >
                    {t.deadLetters} in the DLQ
                  </AppLink>
                ) : (
                  <span className="text-xs text-fg-muted">none</span>
                )}
              </td>
              <td className="px-3 py-2 text-xs">{formatTime(t.firstSeen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
