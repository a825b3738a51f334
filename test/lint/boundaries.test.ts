import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// Each fixture is a string linted by the repository's own eslint.config.js under a virtual path
// inside the real tree (the rules are about where a file is and what it imports). Type-aware
// rules are switched off for these files, which no tsconfig project contains, and only the
// boundary rules are reported.
const root = fileURLToPath(new URL('../../', import.meta.url));
const boundaryRules = new Set(['import/no-restricted-paths', 'local/use-client-imports', 'local/require-server-only']);
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [tseslint.configs.disableTypeChecked],
  ruleFilter: ({ ruleId }) => boundaryRules.has(ruleId),
});

async function rulesFiring(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return (result?.messages ?? []).map((message) => message.ruleId ?? `fatal: ${message.message}`);
}

/** A real module of `folder` (found now, so the fixtures survive files moving inside it). */
function moduleIn(folder: string, matches: (name: string) => boolean): string {
  const names = readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' });
  const found = names.find((name) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && matches(name));
  if (!found) throw new Error(`no module in ${folder}`);
  return `${folder}/${found.replace(/\.tsx?$/, '')}`;
}

const serverModule = 'server/env'; // server/env.ts: the one reader of process.env
const serverSchema = moduleIn('server', (name) => name.endsWith('.schema.ts'));
const runtimeModule = moduleIn('infra/runtime', () => true);
const contractModule = moduleIn('infra/platform', () => true);
const sagaModule = moduleIn('infra/saga', () => true);
const embeddedModule = moduleIn('infra/embedded', () => true);

// Loading the config and warming the TypeScript resolver takes a while on a busy machine.
beforeAll(() => rulesFiring('infra/runtime/lint-fixture.ts', 'export {};\n'), 120_000);

const RESTRICTED = 'import/no-restricted-paths';
const USE_CLIENT = 'local/use-client-imports';
const SERVER_ONLY = 'local/require-server-only';

describe('infra/ imports nothing from the console', () => {
  it('fails an infra/ file importing server/ by alias or by relative path', async () => {
    expect(
      await rulesFiring('infra/runtime/lint-fixture.ts', `import { env } from '@/${serverModule}';\nvoid env;\n`),
    ).toEqual([RESTRICTED]);
    expect(await rulesFiring('infra/lambda/lint-fixture.ts', `import '../../${serverSchema}';\n`)).toEqual([
      RESTRICTED,
    ]);
  });

  it('fails an infra/ test importing components/ or app/', async () => {
    const code = `import '@/${moduleIn('components', () => true)}';\nimport '../../app/layout';\n`;
    expect(await rulesFiring('infra/lib/lint-fixture.test.ts', code)).toEqual([RESTRICTED, RESTRICTED]);
  });

  it('passes an infra/ file importing the contract and the runtime', async () => {
    const code = `import '../platform/${path.basename(contractModule)}';\nimport '@/${runtimeModule}';\n`;
    expect(await rulesFiring('infra/lambda/lint-fixture.ts', code)).toEqual([]);
  });
});

describe('client code imports only schemas from server/ and only the contract from infra/', () => {
  it('fails a client component importing server code that is not a schema', async () => {
    const code = `'use client';\nimport { env } from '@/${serverModule}';\nexport const X = env;\n`;
    expect(await rulesFiring('components/queues/lint-fixture.tsx', code)).toEqual([RESTRICTED]);
    expect(await rulesFiring('components/queues/lint-fixture.tsx', `import '../../${serverModule}';\n`)).toEqual([
      RESTRICTED,
    ]);
    const lazy = `export const load = () => import('@/${serverModule}');\n`;
    expect(await rulesFiring('components/queues/lint-fixture.tsx', lazy)).toEqual([RESTRICTED]);
  });

  it('fails a client component importing infra/runtime or the embedded platform', async () => {
    const code = `import '@/${runtimeModule}';\nimport '../../${embeddedModule}';\n`;
    expect(await rulesFiring('components/sagas/lint-fixture.tsx', code)).toEqual([RESTRICTED, RESTRICTED]);
  });

  it('fails a route-local _components file importing server code', async () => {
    expect(
      await rulesFiring('app/(console)/queues/_components/lint-fixture.tsx', `import '@/${serverModule}';\n`),
    ).toEqual([RESTRICTED]);
  });

  it("fails a 'use client' module outside the client folders importing server code or infra/runtime", async () => {
    const code = `'use client';\nimport '@/${serverModule}';\nimport '../../${runtimeModule}';\n`;
    expect(await rulesFiring('app/(console)/lint-fixture.tsx', code)).toEqual([USE_CLIENT, USE_CLIENT]);
  });

  it('passes client code importing a server schema, the contract and the saga definition', async () => {
    const code = `'use client';\nimport '@/${serverSchema}';\nimport '../../${contractModule}';\nimport '@/${sagaModule}';\n`;
    expect(await rulesFiring('components/sagas/lint-fixture.tsx', code)).toEqual([]);
    expect(await rulesFiring('app/(console)/lint-fixture.tsx', code.replace('../../', '../../../'))).toEqual([]);
  });

  it('passes a server component in app/ importing server code', async () => {
    expect(await rulesFiring('app/(console)/lint-fixture.tsx', `import '@/${serverModule}';\n`)).toEqual([]);
  });
});

describe('server/ imports from infra/ only the contract, the saga and the runtime', () => {
  it('fails a server/ module importing the embedded platform outside the local adapter', async () => {
    const code = `import 'server-only';\nimport '@/${embeddedModule}';\n`;
    expect(await rulesFiring('server/ops/lint-fixture.ts', code)).toEqual([RESTRICTED]);
    expect(await rulesFiring('server/platform/local/lint-fixture.ts', code)).toEqual([]);
  });

  it('lets tests, not modules, import the CDK app and the embedded engine', async () => {
    const cdk = `import '../../../infra/lib/platform-stack';\n`;
    expect(await rulesFiring('server/platform/aws/lint-fixture.stack.test.ts', cdk)).toEqual([]);
    expect(await rulesFiring('server/platform/aws/lint-fixture.test.ts', cdk)).toEqual([]);
    expect(await rulesFiring('server/platform/aws/lint-fixture.ts', `import 'server-only';\n${cdk}`)).toEqual([
      RESTRICTED,
    ]);
    const engine = `import '../../infra/embedded/engine';\n`;
    expect(await rulesFiring('server/ops/lint-fixture.test.ts', engine)).toEqual([]);
    expect(await rulesFiring('server/ops/lint-fixture.ts', `import 'server-only';\n${engine}`)).toEqual([RESTRICTED]);
  });
});

describe("every server/ module starts with import 'server-only'", () => {
  it('fails a server/ module without it, or with it below another import', async () => {
    expect(await rulesFiring('server/ops/lint-fixture.ts', `export const x = 1;\n`)).toEqual([SERVER_ONLY]);
    const late = `import { z } from 'zod';\nimport 'server-only';\nexport const x = z.string();\n`;
    expect(await rulesFiring('server/ops/lint-fixture.ts', late)).toEqual([SERVER_ONLY]);
  });

  it('passes a server/ module that starts with it, a schema file and a test without it', async () => {
    expect(await rulesFiring('server/ops/lint-fixture.ts', `import 'server-only';\nexport const x = 1;\n`)).toEqual([]);
    expect(await rulesFiring('server/ops/lint-fixture.schema.ts', `export const x = 1;\n`)).toEqual([]);
    expect(await rulesFiring('server/ops/lint-fixture.test.ts', `export const x = 1;\n`)).toEqual([]);
  });
});
