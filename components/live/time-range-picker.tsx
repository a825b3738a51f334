'use client';

import { useState } from 'react';
import { presetRanges, type RangeKey } from '@/server/ops/read/range.schema';
import { useUrlState } from './use-url-state';

const labels: Record<RangeKey, string> = {
  '15m': '15 min',
  '1h': '1 h',
  '24h': '24 h',
  '7d': '7 days',
  custom: 'Custom',
};

const toLocalInput = (iso?: string) => (iso ? new Date(iso).toISOString().slice(0, 16) : '');

/** The time-range picker (15 m, 1 h, 24 h, 7 d, custom); the range lives in the URL. */
export function TimeRangePicker({ range, from, to }: { range: RangeKey; from?: string; to?: string }) {
  const { set } = useUrlState();
  const [custom, setCustom] = useState(range === 'custom');
  const [start, setStart] = useState(toLocalInput(from));
  const [end, setEnd] = useState(toLocalInput(to));
  const valid = start !== '' && end !== '' && start < end;
  return (
    <div className="flex flex-wrap items-center gap-2">
      <div role="group" aria-label="Time range" className="inline-flex overflow-hidden rounded border border-border">
        {presetRanges.map((key) => (
          <button
            key={key}
            type="button"
            aria-pressed={range === key && !custom}
            onClick={() => {
              setCustom(false);
              set({ range: key, from: null, to: null, cursor: null });
            }}
            className="px-2.5 py-1 text-xs aria-pressed:bg-accent aria-pressed:text-white dark:aria-pressed:text-black"
          >
            {labels[key]}
          </button>
        ))}
        <button
          type="button"
          aria-pressed={custom}
          onClick={() => setCustom(true)}
          className="px-2.5 py-1 text-xs aria-pressed:bg-accent aria-pressed:text-white dark:aria-pressed:text-black"
        >
          {labels.custom}
        </button>
      </div>
      {custom ? (
        <form
          className="flex flex-wrap items-center gap-2 text-xs"
          onSubmit={(e) => {
            e.preventDefault();
            if (!valid) return;
            set({
              range: 'custom',
              from: new Date(`${start}:00Z`).toISOString(),
              to: new Date(`${end}:00Z`).toISOString(),
              cursor: null,
            });
          }}
        >
          <label className="flex items-center gap-1">
            From (UTC)
            <input
              type="datetime-local"
              value={start}
              onChange={(e) => setStart(e.target.value)}
              className="rounded border border-border bg-surface-raised px-1 py-0.5"
            />
          </label>
          <label className="flex items-center gap-1">
            To (UTC)
            <input
              type="datetime-local"
              value={end}
              onChange={(e) => setEnd(e.target.value)}
              className="rounded border border-border bg-surface-raised px-1 py-0.5"
            />
          </label>
          <button
            type="submit"
            disabled={!valid}
            className="rounded border border-border px-2 py-1 disabled:opacity-50"
          >
            Apply
          </button>
        </form>
      ) : null}
    </div>
  );
}
