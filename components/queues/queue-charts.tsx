'use client';

import { TimeSeriesChart } from '@/components/charts/time-series-chart';
import { InlineError } from '@/components/ui/inline-error';
import { Skeleton } from '@/components/ui/skeleton';
import { useQueueSeriesQuery } from './data/queue-series-query';

/** Depth and age charts of one queue pair over the last hour or day. */
export function QueueCharts({ id, range }: { id: string; range: '1h' | '24h' }) {
  const query = useQueueSeriesQuery(id, range);
  // The box is held at the drawn charts' size (two stacked, or side by side from lg) while they
  // load and draw, so nothing below moves when they arrive.
  return <div className="min-h-[35rem] lg:min-h-[17rem]">{charts()}</div>;

  function charts() {
    if (query.isPending) return <Skeleton rows={4} label={`Loading the ${id} charts`} />;
    if (!query.data)
      return <InlineError error={query.error} what={`the ${id} charts`} onRetry={() => void query.refetch()} />;
    const data = query.data;
    const pick = (suffixes: string[]) => data.filter((s) => suffixes.some((x) => s.id.endsWith(x)));
    return (
      <div className="grid gap-3 lg:grid-cols-2">
        <TimeSeriesChart title={`${id}: messages (last ${range})`} series={pick(['.visible', '.inflight'])} />
        <TimeSeriesChart
          title={`${id}: oldest message age in seconds (last ${range})`}
          series={pick(['.oldest_age'])}
        />
      </div>
    );
  }
}

/** The 1 h / 24 h switch of the queue charts (kept in the URL by the caller). */
export function ChartRangeSwitch({ range, onChange }: { range: '1h' | '24h'; onChange: (r: '1h' | '24h') => void }) {
  return (
    <div role="group" aria-label="Chart range" className="inline-flex overflow-hidden rounded border border-border">
      {(['1h', '24h'] as const).map((r) => (
        <button
          key={r}
          type="button"
          aria-pressed={range === r}
          onClick={() => onChange(r)}
          className="px-2.5 py-1 text-xs aria-pressed:bg-accent aria-pressed:text-white dark:aria-pressed:text-black"
        >
          {r === '1h' ? 'Last hour' : 'Last 24 h'}
        </button>
      ))}
    </div>
  );
}
