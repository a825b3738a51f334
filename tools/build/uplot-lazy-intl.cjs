/**
 * Turbopack loader for uPlot's ES module (next.config.js): its two module-level Intl objects are
 * created when first used instead of when the module is evaluated. A page's first Intl object
 * loads ICU's locale data, a ~100 ms task on a phone (4x CPU, measured in Chromium 150); uPlot
 * created both as soon as a chart's code arrived, in the same task. The console's charts format
 * their axes and legends themselves (components/charts/uplot-chart.tsx) and give uPlot UTC dates
 * (Etc/UTC, no Intl), so neither object is ever created. Each rewrite must match exactly once:
 * a uPlot release that changes these lines fails the build here rather than loses the change.
 */
const rewrites = [
  [
    "const numFormatter = new Intl.NumberFormat(domEnv ? nav.language : 'en-US');\nconst fmtNum = val => numFormatter.format(val);",
    "let numFormatter = null;\nconst fmtNum = val => (numFormatter ??= new Intl.NumberFormat(domEnv ? nav.language : 'en-US')).format(val);",
  ],
  [
    'const localTz = new Intl.DateTimeFormat().resolvedOptions().timeZone;',
    'let localTz$ = null;\nconst localTzOf = () => (localTz$ ??= new Intl.DateTimeFormat().resolvedOptions().timeZone);',
  ],
  ['\telse if (tz == localTz)\n', '\telse if (tz == localTzOf())\n'],
];

/** @param {string} source */
function rewrite(source) {
  let out = source.replace(/\r\n/g, '\n');
  for (const [from, to] of rewrites) {
    const at = out.indexOf(from);
    if (at < 0 || out.indexOf(from, at + 1) >= 0)
      throw new Error(`uplot-lazy-intl: expected exactly one ${JSON.stringify(from.split('\n')[0])} in uPlot`);
    out = out.slice(0, at) + to + out.slice(at + from.length);
  }
  if (/(?<![\w$])localTz(?![\w$])/.test(out)) throw new Error('uplot-lazy-intl: uPlot uses localTz somewhere else');
  return out;
}

/** @this {{ resourcePath: string }} @param {string} source */
module.exports = function uplotLazyIntl(source) {
  return rewrite(source);
};
module.exports.rewrite = rewrite;
