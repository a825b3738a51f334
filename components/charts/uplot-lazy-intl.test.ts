import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NextConfig } from 'next';
import { afterEach, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { rewrite } = require('../../tools/build/uplot-lazy-intl.cjs') as { rewrite: (source: string) => string };
const uplotEsm = require.resolve('uplot/dist/uPlot.esm.js');

const RealIntl = globalThis.Intl;
afterEach(() => {
  globalThis.Intl = RealIntl;
});

/** Intl whose NumberFormat and DateTimeFormat count their constructions. */
function countingIntl() {
  const created = { NumberFormat: 0, DateTimeFormat: 0 };
  const NumberFormat = function (...args: ConstructorParameters<typeof Intl.NumberFormat>) {
    created.NumberFormat++;
    return new RealIntl.NumberFormat(...args);
  };
  const DateTimeFormat = function (...args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
    created.DateTimeFormat++;
    return new RealIntl.DateTimeFormat(...args);
  };
  globalThis.Intl = { ...RealIntl, NumberFormat, DateTimeFormat } as unknown as typeof Intl;
  return created;
}

/** uPlot's ES module as the build rewrites it (the loader), imported from a file of its own. */
async function importRewritten(): Promise<{
  default: { tzDate: (d: Date, tz: string) => Date; fmtNum: (v: number) => string };
}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uplot-'));
  const file = path.join(dir, 'uPlot.esm.mjs');
  fs.writeFileSync(file, rewrite(fs.readFileSync(uplotEsm, 'utf8')));
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as never;
}

describe('uPlot as the console builds it (tools/build/uplot-lazy-intl.cjs)', () => {
  it('creates no Intl object when its module is evaluated, nor for UTC dates; its number format only when used', async () => {
    const created = countingIntl();
    const { default: uPlot } = await importRewritten();
    expect(created).toEqual({ NumberFormat: 0, DateTimeFormat: 0 });
    expect(uPlot.tzDate(new Date('2026-12-07T10:00:00Z'), 'Etc/UTC').getHours()).toBe(10);
    expect(created).toEqual({ NumberFormat: 0, DateTimeFormat: 0 });
    expect(uPlot.fmtNum(1234.5)).toBe('1,234.5');
    expect(uPlot.fmtNum(7)).toBe('7');
    expect(created).toEqual({ NumberFormat: 1, DateTimeFormat: 0 });
    uPlot.tzDate(new Date(), 'America/New_York');
    expect(created.DateTimeFormat).toBe(1);
  });

  it('the unmodified module creates both when evaluated (what the rewrite is for)', async () => {
    const created = countingIntl();
    await import(/* @vite-ignore */ `${pathToFileURL(uplotEsm).href}?fresh=${Date.now()}`);
    expect(created).toEqual({ NumberFormat: 1, DateTimeFormat: 1 });
  });

  it('fails loudly on a uPlot whose lines it does not find, rather than leave them as they are', () => {
    expect(() => rewrite('export default 1;')).toThrow(/expected exactly one/);
  });

  it('is applied by the build to uPlot’s ES module (the Turbopack rule’s condition)', async () => {
    const config = pathToFileURL(path.resolve(import.meta.dirname, '../../next.config.js')).href;
    const { default: nextConfig } = (await import(/* @vite-ignore */ config)) as { default: NextConfig };
    const rule = (nextConfig.turbopack?.rules as Record<string, { condition?: { path?: RegExp }; loaders?: string[] }>)[
      '*.esm.js'
    ];
    expect(rule?.loaders).toEqual(['./tools/build/uplot-lazy-intl.cjs']);
    const matches = rule?.condition?.path;
    expect(matches).toBeInstanceOf(RegExp);
    expect(matches!.test('node_modules/uplot/dist/uPlot.esm.js')).toBe(true);
    expect(matches!.test(uplotEsm)).toBe(true);
    expect(matches!.test('node_modules/other/dist/uPlot.esm.js')).toBe(false);
  });
});
