/**
 * The one money format of the platform and the console: the console's views (through
 * components/ui/format.ts) and the adapters' texts (compensation descriptions) use it. Pure.
 */

/**
 * ISO 4217 list one (amendment of 2024-06-25): every code, and the minor units of those whose
 * minor unit is not 2 (funds, metals and testing codes without one, "N.A." in the list, as 0).
 * money.test.ts checks both against the ISO data of the `currency-codes` package. ISO's minor
 * units, not Intl's: Intl formats with CLDR's display digits, which are fewer for 16 currencies
 * (HUF, IDR, COP, PKR, IQD...: 45577 fillér would have read "HUF 45,577", not "HUF 455.77"), and its
 * first currency formatter loads locale data (a ~100 ms task on a phone, in the sagas list's
 * first render).
 */
const ISO_4217_CODES = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
    'CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP ' +
    'GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW ' +
    'KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN ' +
    'NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS ' +
    'SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND ' +
    'VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG'
  ).split(' '),
);
const MINOR_UNITS_NOT_2: Readonly<Record<string, number>> = {
  ...Object.fromEntries(
    (
      'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF ' +
      'XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX'
    )
      .split(' ')
      .map((code) => [code, 0]),
  ),
  ...Object.fromEntries('BHD IQD JOD KWD LYD OMR TND'.split(' ').map((code) => [code, 3])),
  CLF: 4,
  UYW: 4,
};

/** The ISO 4217 minor units of a currency code (USD 2, JPY 0, BHD 3), or null for a code not in ISO 4217. */
export function minorUnits(currency: string): number | null {
  return ISO_4217_CODES.has(currency) ? (MINOR_UNITS_NOT_2[currency] ?? 2) : null;
}

const thousands = /\B(?=(\d{3})+(?!\d))/g;

/** A string of digits grouped by thousands as en-US writes them ("1234567" is "1,234,567"). */
export function groupThousands(digits: string): string {
  return digits.replace(thousands, ',');
}

/**
 * Money as the platform stores it (an integer count of the currency's minor units) in major units
 * with its currency code, as en-US writes it: `formatMoney(45577, 'USD')` is "USD 455.77",
 * `formatMoney(455, 'JPY')` "JPY 455", `formatMoney(-1234, 'BHD')` "-BHD 1.234". Every amount
 * shown goes through it. Integer arithmetic only, so no float rounding and no Intl.
 */
export function formatMoney(minor: number, currency: string): string {
  const digits = minorUnits(currency);
  // Unknown minor units: say what the number is rather than guess where the decimal point goes.
  if (digits === null || !Number.isSafeInteger(minor)) return `${minor} minor units ${currency}`.trim();
  const unit = 10 ** digits;
  const abs = Math.abs(minor);
  const major = groupThousands(String(Math.floor(abs / unit)));
  const fraction = digits ? `.${String(abs % unit).padStart(digits, '0')}` : '';
  return `${minor < 0 ? '-' : ''}${currency} ${major}${fraction}`;
}
