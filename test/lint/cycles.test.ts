import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// Runs the cycle check of `npm run lint` (dependency-cruiser with tools/lint/dependency-cruiser.cjs)
// on a two-file fixture written to a temporary folder with its own '@/*' tsconfig paths, so the
// fixture never enters the real tree.
const root = fileURLToPath(new URL('../../', import.meta.url));
const depcruise = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = path.join(root, 'tools/lint/dependency-cruiser.cjs');
const folders: string[] = [];

function cruise(files: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ledgerline-cycles-'));
  folders.push(dir);
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { paths: { '@/*': ['./*'] } } }));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const run = spawnSync(
    process.execPath,
    [depcruise, '--config', config, '--output-type', 'err', ...Object.keys(files)],
    {
      cwd: dir,
      encoding: 'utf8',
    },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the import-cycle check', () => {
  it('fails on two modules importing each other, one through an @/ path', () => {
    const result = cruise({
      'ledger.ts': "import { post } from '@/saga';\nexport const ledger = () => post();\n",
      'saga.ts': "import { ledger } from './ledger';\nexport const post = () => ledger;\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('no-circular');
    expect(result.output).toContain('ledger.ts');
  }, 60_000);

  it('passes when the arrows run one way, type-only imports included', () => {
    const result = cruise({
      'ledger.ts': "import { type Post } from '@/saga';\nexport const ledger = (post: Post) => post;\n",
      'saga.ts': 'export type Post = { id: string };\n',
    });
    expect(result.output).not.toContain('no-circular');
    expect(result.status).toBe(0);
  }, 60_000);
});
