import { formatAge, formatCount } from '@/components/ui/format';
import type { QueuePair } from '@/server/platform/platform.schema';

/** Source queue and DLQ side by side: visible, in flight, oldest age. */
export function QueueStats({ pair }: { pair: QueuePair }) {
  const rows = [
    { role: 'Source', q: pair.source },
    { role: 'Dead-letter', q: pair.dlq },
  ];
  return (
    <table aria-label={`Queue pair ${pair.id}`} className="w-full text-left text-sm">
      <thead className="text-xs text-fg-muted">
        <tr>
          <th scope="col" className="py-1 pr-3">
            Queue
          </th>
          <th scope="col" className="py-1 pr-3 text-right">
            Visible
          </th>
          <th scope="col" className="py-1 pr-3 text-right">
            In flight
          </th>
          <th scope="col" className="py-1 text-right">
            Oldest
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ role, q }) => (
          <tr key={role} className="border-t border-border">
            <th scope="row" className="py-1 pr-3 font-normal">
              <span className="block text-xs text-fg-muted">{role}</span>
              <span className="font-mono text-xs">{q.name}</span>
            </th>
            <td
              className={`py-1 pr-3 text-right tabular-nums ${role === 'Dead-letter' && q.visible > 0 ? 'font-semibold text-danger' : ''}`}
            >
              {formatCount(q.visible)}
            </td>
            <td className="py-1 pr-3 text-right tabular-nums">{formatCount(q.inFlight)}</td>
            <td className="py-1 text-right tabular-nums">{formatAge(q.oldestAgeSeconds)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
