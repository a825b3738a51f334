/**
 * Freshness of a read result, without zod (client components import this file: platform.schema.ts
 * would bring zod into a page's first-load JS). An adapter that answers a read from its read cache
 * because the backend throttled it marks the result (each item of a list, or the page or object)
 * with `freshness: { stale: true, asOf }` (server/platform/aws/read-cache.ts); the console shows
 * "data as of HH:MM:SS". Absent on fresh data. platform.schema.ts holds the zod schema of the mark.
 */
export interface Freshness {
  stale: true;
  /** ISO time the data was read at. */
  asOf: string;
}

/** The object's own `freshness.asOf` when it is marked stale with a valid time, else null. */
function ownAsOf(value: object): string | null {
  const f = (value as { freshness?: Partial<Freshness> }).freshness;
  if (!f || f.stale !== true || typeof f.asOf !== 'string') return null;
  return Number.isNaN(Date.parse(f.asOf)) ? null : f.asOf;
}

/** The oldest `freshness.asOf` anywhere in a read result (searched `depth` levels deep), or null. */
export function staleAsOf(result: unknown, depth = 6): string | null {
  if (!result || typeof result !== 'object' || depth < 0) return null;
  let oldest = ownAsOf(result);
  for (const v of Array.isArray(result) ? result : Object.values(result)) {
    const t = staleAsOf(v, depth - 1);
    if (t !== null && (oldest === null || Date.parse(t) < Date.parse(oldest))) oldest = t;
  }
  return oldest;
}

/** For LiveStatus's `dataAsOf`: the oldest mark across several read results of one view, or null. */
export function dataAsOf(...results: unknown[]): string | null {
  return staleAsOf(results, 7);
}
