/** Poll intervals (ms) of the console's live views; `false` stops polling. */
export const pollMs = { fast: 3_000, overview: 5_000, list: 10_000, slow: 30_000 } as const;

/** Poll while live, unless the view is over a fixed window that has already ended. */
export function pollInterval(live: boolean, ms: number, window?: { to?: string }): number | false {
  if (!live) return false;
  if (window?.to && Date.parse(window.to) < Date.now()) return false;
  return ms;
}
