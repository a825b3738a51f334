/**
 * The one money format of the platform and the console: the console's views (through
 * components/ui/format.ts) and the adapters' texts (compensation descriptions) use it. Pure.
 */

const moneyFormats = new Map<string, Intl.NumberFormat | null>();

/** The formatter of an ISO 4217 code (its own minor digits: USD 2, JPY 0, BHD 3), or null for a malformed code. */
function moneyFormat(currency: string): Intl.NumberFormat | null {
  let f = moneyFormats.get(currency);
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'code' });
    } catch {
      f = null; // RangeError: not a well-formed currency code
    }
    moneyFormats.set(currency, f);
  }
  return f;
}

/**
 * Money as the platform stores it (an integer count of the currency's minor units) in major units
 * with its currency code: `formatMoney(45577, 'USD')` is "USD 455.77", `formatMoney(455, 'JPY')`
 * "JPY 455". Every amount shown goes through it.
 */
export function formatMoney(minor: number, currency: string): string {
  const f = moneyFormat(currency);
  // Unknown digits: say what the number is rather than guess where the decimal point goes.
  if (!f || !Number.isFinite(minor)) return `${minor} minor units ${currency}`.trim();
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  // A space instead of Intl's no-break space, so the text reads and searches as typed.
  return f.format(minor / 10 ** digits).replace(/\u00a0/g, ' ');
}
