/**
 * Time ranges of the console (15 m, 1 h, 24 h, 7 d, custom): pure TypeScript without zod, so
 * client components can import it without shipping a validator to the browser.
 */
export const presetRanges = ['15m', '1h', '24h', '7d'] as const;
export const rangeKeys = [...presetRanges, 'custom'] as const;
export type RangeKey = (typeof rangeKeys)[number];

const presetMs: Record<(typeof presetRanges)[number], number> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
};

export interface ResolvedRange {
  key: RangeKey;
  from: string;
  to: string;
  /** Metric period giving at most ~200 points per series (CloudWatch-friendly: ≥ 60 s). */
  periodSeconds: number;
}

const periods = [60, 300, 600, 1800, 3600, 21_600, 86_400];

/** Turns a range into absolute times at `now`; presets end now. */
export function resolveRange(input: { range?: RangeKey; from?: string; to?: string }, now = Date.now()): ResolvedRange {
  const key = input.range ?? '1h';
  let fromMs: number;
  let toMs: number;
  if (key === 'custom' && input.from && input.to) {
    fromMs = Date.parse(input.from);
    toMs = Date.parse(input.to);
  } else {
    toMs = now;
    fromMs = now - presetMs[key === 'custom' ? '1h' : key];
  }
  const spanSeconds = Math.max(60, (toMs - fromMs) / 1000);
  const periodSeconds = periods.find((p) => spanSeconds / p <= 200) ?? 86_400;
  return { key, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), periodSeconds };
}
