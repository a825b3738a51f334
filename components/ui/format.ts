/** Display formats shared by the console's views. Pure. */
import { groupThousands } from '@/infra/platform/money';

export function formatAge(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`;
}

export function formatDuration(startIso: string | null, endIso: string | null): string {
  if (!startIso || !endIso) return '—';
  const ms = Date.parse(endIso) - Date.parse(startIso);
  if (ms < 1000) return `${ms} ms`;
  return formatAge(ms / 1000);
}

/** UTC, second precision: what on-call engineers compare with logs. */
export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

let enUS: Intl.NumberFormat | null = null;

/**
 * A number as en-US writes it by default (12,345.679: grouped, at most three decimals, rounded
 * half up from the number's shortest decimal form, as ICU does). Without Intl below 1e21: a page's
 * first Intl object loads ICU's locale data, a ~100-190 ms task on a phone (4x CPU), for a count
 * or a chart's axis labels. NaN, ±Infinity and larger numbers (never on a page) go through Intl.
 */
export function formatNumber(n: number): string {
  if (Number.isSafeInteger(n)) return groupThousands(String(n));
  if (!Number.isFinite(n) || Math.abs(n) >= 1e21) return (enUS ??= new Intl.NumberFormat('en-US')).format(n);
  const sign = n < 0 ? '-' : '';
  // Below 0.0005 it rounds to 0 (and String() would write 1e-7 as an exponent).
  if (Math.abs(n) < 0.0005) return `${sign}0`;
  const [whole = '0', fraction = ''] = String(Math.abs(n)).split('.');
  let thousandths = BigInt(whole + fraction.slice(0, 3).padEnd(3, '0'));
  if (Number(fraction[3] ?? '0') >= 5) thousandths += 1n;
  const digits = thousandths.toString().padStart(4, '0');
  const decimals = digits.slice(-3).replace(/0+$/, '');
  return `${sign}${groupThousands(digits.slice(0, -3))}${decimals ? `.${decimals}` : ''}`;
}

/** A count as en-US writes it (12,345). */
export const formatCount = formatNumber;

/** Money from minor units with its currency: the one formatter, shared with the server (infra/platform/money.ts). */
export { formatMoney } from '@/infra/platform/money';

/** Pretty-prints JSON text; returns the text unchanged when it is not JSON. */
export function prettyJson(text: string | null): string {
  if (text === null) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
