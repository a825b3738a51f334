import { episodeText, flapText } from '@/components/alarms/alarm-episode';
import { AppLink } from '@/components/ui/app-link';
import { formatAge, formatCount } from '@/components/ui/format';
import { StateBadge } from '@/components/ui/status-badge';
import type { RegionOverview } from '@/server/ops/read/read.schema';

/**
 * The region's badge: red while any of its alarms is in ALARM (or the platform does not answer:
 * the engine's heartbeat locally, the bus on AWS); the text says which.
 */
export function RegionBadge({ data }: { data: RegionOverview }) {
  const firing = data.alarmCounts.ALARM;
  const state = firing > 0 || !data.region.healthy ? 'ALARM' : 'OK';
  const parts = [firing > 0 ? `${firing} alarm${firing === 1 ? '' : 's'} firing` : 'no alarm firing'];
  if (!data.region.healthy) parts.push('platform not answering');
  return (
    <span className="inline-flex items-center gap-2" data-testid={`region-badge-${data.region.id}`}>
      <StateBadge state={state} />
      <span className={`text-xs font-normal ${state === 'ALARM' ? 'text-danger' : 'text-fg-muted'}`}>
        {parts.join(' · ')}
      </span>
    </span>
  );
}

/** One region: its firing alarms and each queue pair's DLQ depth and oldest age. */
export function RegionSection({ data }: { data: RegionOverview }) {
  const { region, firingAlarms, alarmCounts, queues } = data;
  return (
    <section
      aria-labelledby={`region-${region.id}`}
      className="mb-6 rounded border border-border bg-surface-raised p-4"
    >
      <h2 id={`region-${region.id}`} className="mb-3 flex items-center gap-2 text-lg font-semibold">
        {region.id}
        {region.primary ? <span className="text-xs font-normal text-fg-muted">primary</span> : null}
        <RegionBadge data={data} />
      </h2>
      <div className="grid gap-4 lg:grid-cols-2">
        <div>
          <h3 className="mb-2 text-sm font-semibold">
            Firing alarms{' '}
            <AppLink href="/alarms?state=ALARM" className="font-normal text-accent underline">
              {alarmCounts.ALARM} firing · {alarmCounts.OK} OK · {alarmCounts.INSUFFICIENT_DATA} insufficient data
            </AppLink>
          </h3>
          {firingAlarms.length === 0 ? (
            <p className="rounded border border-dashed border-border p-3 text-sm text-fg-muted">
              No alarm is firing in {region.id}.
            </p>
          ) : (
            <ul aria-label={`Firing alarms in ${region.id}`} className="space-y-2">
              {firingAlarms.map((a) => (
                <li key={a.name} className="rounded border border-danger/60 bg-danger/5 p-2 text-sm">
                  <div className="flex flex-wrap items-center gap-2">
                    <StateBadge state={a.state} />
                    <AppLink
                      href={`/alarms/${encodeURIComponent(a.name)}`}
                      className="font-semibold text-accent underline"
                    >
                      {a.name}
                    </AppLink>
                    <AppLink
                      href={`/incident/${encodeURIComponent(a.name)}`}
                      className="ml-auto text-xs text-accent underline"
                    >
                      Open incident view
                    </AppLink>
                  </div>
                  <p className="mt-1 text-xs text-fg-muted">
                    {[episodeText(a, 0), flapText(a), a.reason].filter(Boolean).join(' · ')}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h3 className="mb-2 text-sm font-semibold">Dead-letter queues</h3>
          <ul aria-label={`Dead-letter queues in ${region.id}`} className="grid gap-2 sm:grid-cols-2">
            {queues.map((q) => (
              <li key={q.id}>
                <AppLink
                  href={`/queues/${encodeURIComponent(q.id)}`}
                  className={`block rounded border p-3 hover:bg-border/30 ${q.dlq.visible > 0 ? 'border-danger/60' : 'border-border'}`}
                >
                  <span className="block text-sm font-semibold">{q.dlq.name}</span>
                  <span className="mt-1 block text-2xl font-semibold tabular-nums" data-testid={`dlq-depth-${q.id}`}>
                    {formatCount(q.dlq.visible)}
                  </span>
                  <span className="block text-xs text-fg-muted">
                    messages · oldest {formatAge(q.dlq.oldestAgeSeconds)} · source {formatCount(q.source.visible)}{' '}
                    visible
                  </span>
                </AppLink>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}
