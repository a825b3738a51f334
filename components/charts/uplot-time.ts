import uPlot from 'uplot';

/** What the x axis says its times are in: the console shows every time in UTC. */
export const timeAxisLabel = 'Time (UTC)';

/**
 * uPlot's `tzDate`: the Date uPlot formats ticks and the legend from (with local getters), for a
 * unix timestamp in seconds. Without it uPlot shows the browser's local time under titles that
 * say UTC; shifted to Etc/UTC the local getters read the UTC wall clock.
 */
export function utcDate(ts: number): Date {
  return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
}
