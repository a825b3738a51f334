import path from 'node:path';
import pluginQuery from '@tanstack/eslint-plugin-query';
import nextVitals from 'eslint-config-next/core-web-vitals';
import tseslint from 'typescript-eslint';
import { localPlugin } from './tools/lint/eslint-plugin-local.js';

const root = import.meta.dirname;
// The files eslint-config-next loads the import plugin for.
const sources = '**/*.{js,jsx,mjs,ts,tsx,mts,cts}';

// The allowed arrows between the tree's rooms (DESIGN.md "Layout"). `import/no-restricted-paths`
// resolves each specifier ('@/...', relative, directory index) through the TypeScript resolver
// eslint-config-next already configures, so a zone matches the file actually imported, whatever
// the spelling. `except` globs are matched against that absolute path.
// A folder allows everything below it; a path ending in .ts allows that one file.
const under = (...folders) =>
  folders.map((folder) =>
    // (a glob either way: the rule wants glob exceptions when `from` is a glob)
    folder.endsWith('.ts') ? path.join(root, folder.replace(/\.ts$/, '.*')) : path.join(root, folder, '**'),
  );
const infraForClient = ['infra/platform', 'infra/saga'];
const infraForServer = ['infra/platform', 'infra/saga', 'infra/runtime'];
const clientFolders = ['components/**', 'app/**/_components/**'];

const platformIsAlone = {
  target: 'infra/**',
  from: ['server/**', 'components/**', 'app/**'],
  message:
    'infra/ (the platform) imports nothing from server/, components/ or app/; shared contract goes in infra/platform.',
};
const clientServerSchemasOnly = {
  target: clientFolders,
  from: 'server/**',
  except: [path.join(root, 'server/**/*.schema.ts')],
  message: 'Client code may import only *.schema.ts files from server/.',
};
const clientContractOnly = {
  target: clientFolders,
  from: 'infra/**',
  except: under(...infraForClient),
  message: 'Client code may import from infra/ only infra/platform and infra/saga (the contract).',
};
const serverInfra = (target, allowed) => ({
  target,
  from: 'infra/**',
  except: under(...allowed),
  message: `This part of server/ may import from infra/ only ${allowed.join(', ')}.`,
});
const restrictedPaths = (...zones) => ['error', { basePath: root, zones }];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.next*/**',
      'cdk.out/**',
      'next-env.d.ts',
      'bench/results/**',
      'test-results/**',
      'playwright-report/**',
      '.data/**',
    ],
  },
  ...nextVitals,
  ...pluginQuery.configs['flat/recommended'],
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { local: localPlugin },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'eslint-comments/require-description': 'off',
    },
  },
  {
    // Boundaries. The zones of one file are one option list (a later block replaces, not merges,
    // an earlier block's options), so each server/ group below repeats the zones that apply to it.
    files: [sources],
    rules: {
      'import/no-restricted-paths': restrictedPaths(
        platformIsAlone,
        clientServerSchemasOnly,
        clientContractOnly,
        serverInfra('server/**', infraForServer),
      ),
    },
  },
  {
    // The local adapter reads the embedded platform's SQLite file and its record shapes.
    files: ['server/platform/local/**/*.{ts,tsx}'],
    rules: {
      'import/no-restricted-paths': restrictedPaths(
        serverInfra('server/platform/local/**', [...infraForServer, 'infra/embedded']),
      ),
    },
  },
  {
    // The console's own database reuses the embedded platform's migration runner (one helper, no copy).
    files: ['server/db/**/*.{ts,tsx}'],
    rules: {
      'import/no-restricted-paths': restrictedPaths(
        serverInfra('server/db/**', [...infraForServer, 'infra/embedded/sqlite-migrations.ts']),
      ),
    },
  },
  {
    // The console's tests run against the real platform: the embedded engine (server/ops, app/api),
    // the generated state machine and the Lambdas' idempotency key (aws adapter), the synthesized
    // stacks (*.stack.test.ts, run by the infra vitest project). Source files stay within the zones above.
    files: ['server/**/*.test.{ts,tsx}'],
    rules: {
      'import/no-restricted-paths': restrictedPaths(
        serverInfra('server/**', [...infraForServer, 'infra/embedded', 'infra/lib', 'infra/lambda', 'infra/test']),
      ),
    },
  },
  {
    // 'use client' modules outside the client folders (app/error.tsx, ...) obey the client zones.
    files: [sources],
    ignores: clientFolders,
    rules: { 'local/use-client-imports': ['error', { root, infraAllow: infraForClient }] },
  },
  {
    files: ['server/**/*.{ts,tsx}'],
    ignores: ['server/**/*.schema.ts', 'server/**/*.test.{ts,tsx}'],
    rules: { 'local/require-server-only': 'error' },
  },
  {
    // Playwright fixtures call their continuation `use`, which is not a React hook.
    files: ['e2e/**/*.ts'],
    rules: { 'react-hooks/rules-of-hooks': 'off' },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
);
