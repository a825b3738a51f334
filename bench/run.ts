/**
 * `npm run bench -- <suite> [args]`: runs bench/<suite>.ts (its default export receives the
 * remaining args) and the suite writes bench/results/<suite>.json. Without a suite: all suites.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const suites = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'results.ts'].includes(f) && !f.endsWith('.test.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

const [requested, ...args] = process.argv.slice(2);
if (requested && !suites.includes(requested)) {
  console.error(`Unknown benchmark suite "${requested}". Suites: ${suites.join(', ') || '(none yet)'}`);
  process.exit(2);
}
for (const suite of requested ? [requested] : suites) {
  console.log(`[bench] ${suite}`);
  const mod = (await import(pathToFileURL(`${dir}${suite}.ts`).href)) as { default: (args: string[]) => Promise<void> };
  await mod.default(args);
}
if (!suites.length) console.log('[bench] no suites yet');
