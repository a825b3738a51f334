/** Display formats shared by the console's views. Pure. */
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

const thousands = /\B(?=(\d{3})+(?!\d))/g;
let countFormat: Intl.NumberFormat | null = null;

/**
 * A count as en-US writes it (12,345). Integers are grouped without Intl: a page's first Intl
 * call loads the locale data, a ~190 ms task on a phone (4x CPU) for the incident page's three
 * counts. Anything else goes through one shared Intl.NumberFormat.
 */
export function formatCount(n: number): string {
  if (Number.isSafeInteger(n)) return String(n).replace(thousands, ',');
  return (countFormat ??= new Intl.NumberFormat('en-US')).format(n);
}

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
