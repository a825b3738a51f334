import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// zod costs a phone ~35 kB gzipped and a long task to evaluate (the web bench's TBT), so no
// module the browser loads may reach it: the graph of value imports (static and dynamic, not
// `import type`) from every 'use client' module stays zod-free. Shared *.schema files keep their
// zod schemas; what client code needs at run time lives in zod-free *.schema files beside them
// (freshness, task-outcome, audit-vocabulary, approval-threshold).
const root = fileURLToPath(new URL('../../', import.meta.url));

/** Value imports of a module's source (`import type`, type-only names and `export type` skipped). */
export function valueImports(source: string): string[] {
  const file = ts.createSourceFile('m.tsx', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TSX);
  const specifiers: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause && !clause.name && named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause;
      const typeOnly =
        node.isTypeOnly || (named && ts.isNamedExports(named) && named.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return specifiers;
}

/** A repository file for '@/x' or a relative specifier, `pkg:<name>` for a package. */
function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('@/') && !specifier.startsWith('.')) {
    const parts = specifier.split('/');
    return `pkg:${parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/')}`;
  }
  const base = specifier.startsWith('@/')
    ? path.join(root, specifier.slice(2))
    : path.resolve(path.dirname(from), specifier);
  for (const ext of ['', '.ts', '.tsx', '/index.ts', '/index.tsx']) {
    if (existsSync(base + ext) && statSync(base + ext).isFile()) return base + ext;
  }
  return null;
}

/** The import chain from `entry` to the package `pkg` through value imports, or null. */
export function chainTo(entry: string, pkg: string, read = (f: string) => readFileSync(f, 'utf8')): string[] | null {
  const from = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const specifier of valueImports(read(current))) {
      const target = resolve(current, specifier);
      if (target === null || from.has(target)) continue;
      from.set(target, current);
      if (target === `pkg:${pkg}`) {
        const chain: string[] = [];
        for (let at: string | null | undefined = target; at; at = from.get(at)) chain.unshift(at);
        return chain.map((f) => (f.startsWith('pkg:') ? f : path.relative(root, f)));
      }
      if (!target.startsWith('pkg:')) queue.push(target);
    }
  }
  return null;
}

function clientModules(): string[] {
  return ['app', 'components'].flatMap((folder) =>
    readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
      .filter((name) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name))
      .map((name) => path.join(root, folder, name))
      .filter((file) => /^\s*['"]use client['"]/.test(readFileSync(file, 'utf8'))),
  );
}

describe('client code does not load zod', () => {
  it('finds the client modules', () => {
    expect(clientModules().length).toBeGreaterThan(50);
  });

  it('no value import from a client module reaches zod', () => {
    const reaching = clientModules()
      .map((file) => chainTo(file, 'zod'))
      .filter((chain): chain is string[] => chain !== null)
      .map((chain) => chain.join(' > '));
    expect(reaching).toEqual([]);
  });

  it('sees a value import through a shared schema, and not a type-only one', () => {
    const entry = path.join(root, 'components/fixture.tsx');
    const fixture = (source: string) => (f: string) => (f === entry ? source : readFileSync(f, 'utf8'));
    const value = "'use client';\nimport { replaySchema } from '@/server/platform/platform.schema';\n";
    expect(chainTo(entry, 'zod', fixture(value))).toEqual([
      'components/fixture.tsx',
      'server/platform/platform.schema.ts',
      'pkg:zod',
    ]);
    const typeOnly =
      "'use client';\nimport { type Replay } from '@/server/platform/platform.schema';\nimport type { Page } from '@/server/platform/platform.schema';\n";
    expect(chainTo(entry, 'zod', fixture(typeOnly))).toBeNull();
    const lazy = "'use client';\nconst load = () => import('@/server/audit/audit.schema');\n";
    expect(chainTo(entry, 'zod', fixture(lazy))).toEqual([
      'components/fixture.tsx',
      'server/audit/audit.schema.ts',
      'pkg:zod',
    ]);
  });
});
