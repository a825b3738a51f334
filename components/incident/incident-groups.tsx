import { AppLink } from '@/components/ui/app-link';
import { formatCount, formatTime } from '@/components/ui/format';
import type { IncidentDetail } from '@/server/ops/read/incident.schema';

const n = formatCount;

/** The sagas list of one status over exactly the incident's window (the counts here are its counts). */
export function sagasHref(status: string, window: { from: string; to: string }): string {
  const q = new URLSearchParams({ status, range: 'custom', from: window.from, to: window.to });
  return `/sagas?${q.toString()}`;
}

/**
 * How many sagas failed, are compensating or compensated in the window (the sagas list's counts,
 * each a link to that list), and the same sagas by failed step and error class, newest first.
 */
export function IncidentGroups({ data }: { data: IncidentDetail }) {
  const { counts, groups, window } = data;
  const bound = counts.capped ? 'at least ' : '';
  return (
    <div>
      <p className="text-sm" data-testid="incident-counts">
        {(['FAILED', 'COMPENSATING', 'COMPENSATED'] as const).map((status, i) => (
          <span key={status}>
            {i > 0 ? ' · ' : ''}
            <AppLink href={sagasHref(status, window)} className="text-accent underline">
              <span data-status={status}>
                {bound}
                {n(counts[status])}
              </span>{' '}
              {status.toLowerCase()}
            </AppLink>
          </span>
        ))}{' '}
        sagas started in the window ({n(counts.total)} in all
        {counts.capped ? `; counted up to ${n(counts.cap)} per status` : ''}).
      </p>
      {groups.length ? (
        <table className="mt-2 w-full text-left text-sm" aria-label="Sagas by failed step and error">
          <thead className="text-xs text-fg-muted">
            <tr>
              <th className="pr-3">Step</th>
              <th className="pr-3">Error</th>
              <th className="pr-3 text-right">Sagas</th>
              <th className="pr-3">Latest</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={`${g.step}-${g.classId}`} className="border-t border-border align-top">
                <td className="pr-3 font-mono text-xs">{g.step}</td>
                <td className="pr-3">
                  <span className="font-medium">{g.errorType}</span>{' '}
                  <span className="break-words text-xs text-fg-muted">{g.message}</span>
                </td>
                <td className="pr-3 text-right tabular-nums">{n(g.count)}</td>
                <td className="pr-3 text-xs">
                  <AppLink href={`/sagas/${encodeURIComponent(g.sampleSagaId)}`} className="text-accent underline">
                    {formatTime(g.lastAt)}
                  </AppLink>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
