import { inFlightSagasHref } from '@/components/sagas/sagas-url';
import { AppLink } from '@/components/ui/app-link';
import { formatCount } from '@/components/ui/format';
import type { SagaOutcomes as Outcomes, RangeInput } from '@/server/ops/read/read.schema';

const rangeQuery = (r: RangeInput) =>
  new URLSearchParams(
    Object.entries({ range: r.range ?? '1h', from: r.from ?? '', to: r.to ?? '' }).filter(([, v]) => v),
  ).toString();

/** Saga outcomes over the range; each count opens the filtered saga list. */
export function SagaOutcomes({ outcomes, range }: { outcomes: Outcomes; range: RangeInput }) {
  const q = rangeQuery(range);
  const tiles = [
    { label: 'Succeeded', value: outcomes.succeeded, href: `/sagas?status=SUCCEEDED&${q}`, tone: 'text-ok' },
    { label: 'Compensated', value: outcomes.compensated, href: `/sagas?status=COMPENSATED&${q}`, tone: 'text-warn' },
    { label: 'Failed', value: outcomes.failed, href: `/sagas?status=FAILED&${q}`, tone: 'text-danger' },
    {
      label: 'Running now',
      value: outcomes.running,
      // What the tile counts: RUNNING and COMPENSATING sagas, whenever they started.
      href: inFlightSagasHref,
      tone: 'text-accent',
      capped: outcomes.runningCapped,
    },
  ];
  return (
    <ul aria-label="Saga outcomes" className="grid grid-cols-2 gap-2 md:grid-cols-4">
      {tiles.map((t) => (
        <li key={t.label}>
          <AppLink
            href={t.href}
            className="block rounded border border-border bg-surface-raised p-3 hover:bg-border/30"
          >
            <span className="block text-xs text-fg-muted">{t.label}</span>
            <span className={`block text-2xl font-semibold tabular-nums ${t.tone}`}>
              {formatCount(t.value)}
              {t.capped ? '+' : ''}
            </span>
          </AppLink>
        </li>
      ))}
    </ul>
  );
}
