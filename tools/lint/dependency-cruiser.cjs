/**
 * The import-cycle check of `npm run lint` (dependency-cruiser). Type-only imports count: a cycle
 * through `import type` is still two modules that cannot be understood apart.
 * Run by `npm run lint` (first: it takes seconds) on app components server infra bench proxy.ts.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules must not import each other, directly or through others (issue 14: no import cycle).',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|\\.next[^/]*|cdk\\.out|bench/results)/' },
    moduleSystems: ['es6', 'cjs'],
    tsPreCompilationDeps: true,
    // Resolves the '@/...' paths of the root tsconfig (infra/ and e2e/ extend it).
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    cache: false,
  },
};
