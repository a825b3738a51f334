'use client';

import { useEffect, useState } from 'react';
import { useHydrated } from '@/components/ui/lazy-leaf';
import { useLive } from './live-context';

function ago(seconds: number): string {
  if (seconds < 60) return `${seconds} s ago`;
  return `${Math.floor(seconds / 60)} min ago`;
}

/**
 * "Updated N s ago" for a query's last success (data the page arrived with says "Updated just
 * now" until the browser has taken over: the age depends on the clock, and the server's HTML and
 * the hydrating render must agree, else React throws the server's HTML of the whole view away
 * and renders it again, a 100-250 ms task on a phone), and the pause toggle of live updates. `dataAsOf`
 * (staleAsOf of the data, platform.schema.ts) is set when the server answered with the last data
 * AWS gave it because AWS throttled the reads: "data as of HH:MM:SS UTC" instead of an error.
 */
export function LiveStatus({
  updatedAt,
  fetching,
  dataAsOf,
}: {
  updatedAt: number;
  fetching: boolean;
  dataAsOf?: string | null;
}) {
  const { paused, setPaused } = useLive();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const hydrated = useHydrated();
  const seconds = updatedAt && hydrated ? Math.max(0, Math.round((now - updatedAt) / 1000)) : null;
  return (
    <div className="flex items-center gap-3 text-xs text-fg-muted">
      {/* Wide enough for its longest text: " · refreshing" coming and going must not move the button. */}
      <span data-testid="updated-ago" aria-live="off" className="inline-block min-w-[11.5rem] text-right">
        {seconds !== null ? `Updated ${ago(seconds)}` : updatedAt ? 'Updated just now' : 'Loading…'}
        {fetching && seconds !== null ? ' · refreshing' : ''}
        {paused ? ' · paused' : ''}
      </span>
      {dataAsOf ? (
        <span data-testid="data-as-of" className="text-warn" title="AWS is throttling the console's reads">
          Data as of {dataAsOf.slice(11, 19)} UTC
        </span>
      ) : null}
      <button
        type="button"
        aria-pressed={paused}
        onClick={() => setPaused(!paused)}
        className="rounded border border-border px-2 py-1 text-fg hover:bg-border/40"
      >
        {paused ? 'Resume live updates' : 'Pause live updates'}
      </button>
    </div>
  );
}
