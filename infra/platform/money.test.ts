import * as iso4217 from 'currency-codes';
import { describe, expect, it } from 'vitest';
import { formatMoney, minorUnits } from './money';

describe('money: ISO 4217 minor units', () => {
  it('knows every code of ISO 4217 list one, with its minor units (the currency-codes package’s ISO data)', () => {
    expect(iso4217.data.length).toBeGreaterThan(170);
    for (const { code, digits } of iso4217.data) expect([code, minorUnits(code)]).toEqual([code, digits]);
  });

  it('knows no code ISO 4217 does not list', () => {
    const known = new Set(iso4217.codes());
    for (let a = 65; a <= 90; a++)
      for (let b = 65; b <= 90; b++)
        for (let c = 65; c <= 90; c++) {
          const code = String.fromCharCode(a, b, c);
          if (!known.has(code)) expect(minorUnits(code), code).toBeNull();
        }
    expect(minorUnits('usd')).toBeNull();
    expect(minorUnits('dollars')).toBeNull();
  });

  it('writes what Intl writes (en-US, currency code) wherever CLDR’s display digits are ISO’s minor units', () => {
    const amounts = [0, 1, 5, 99, 100, 101, 45577, 123456, 100000000, 987654321012, Number.MAX_SAFE_INTEGER];
    let compared = 0;
    for (const { code, digits } of iso4217.data) {
      const intl = new Intl.NumberFormat('en-US', { style: 'currency', currency: code, currencyDisplay: 'code' });
      if (intl.resolvedOptions().maximumFractionDigits !== digits) continue;
      for (const minor of [...amounts, ...amounts.slice(1).map((a) => -a)]) {
        // Exact in floating point for these amounts (at most 15 significant digits once scaled).
        if (Math.abs(minor) > 1e15) continue;
        expect(formatMoney(minor, code)).toBe(intl.format(minor / 10 ** digits).replace(/\u00a0/g, ' '));
        compared++;
      }
    }
    // 150 of the 179 codes (the rest are where CLDR and ISO differ), 19 amounts each.
    expect(compared).toBeGreaterThanOrEqual(150 * 19);
  });

  it('uses ISO’s minor units where CLDR displays fewer digits: 45577 fillér is HUF 455.77, 1234 fils IQD 1.234', () => {
    expect(formatMoney(45577, 'HUF')).toBe('HUF 455.77');
    expect(formatMoney(45577, 'IDR')).toBe('IDR 455.77');
    expect(formatMoney(1234, 'IQD')).toBe('IQD 1.234');
    expect(formatMoney(12345, 'CLF')).toBe('CLF 1.2345');
  });

  it('is exact beyond what a float of the major amount could hold', () => {
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'USD')).toBe('USD 90,071,992,547,409.91');
    expect(formatMoney(-Number.MAX_SAFE_INTEGER, 'JPY')).toBe('-JPY 9,007,199,254,740,991');
  });

  it('never guesses: an unknown code, a fractional or an unsafe count of minor units is shown as it is', () => {
    expect(formatMoney(45577, 'XYZ')).toBe('45577 minor units XYZ');
    expect(formatMoney(455.5, 'USD')).toBe('455.5 minor units USD');
    expect(formatMoney(2 ** 60, 'USD')).toBe(`${2 ** 60} minor units USD`);
    expect(formatMoney(Number.NaN, 'USD')).toBe('NaN minor units USD');
    expect(formatMoney(-0, 'USD')).toBe('USD 0.00');
  });
});
