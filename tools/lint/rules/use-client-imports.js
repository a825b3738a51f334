/**
 * `local/use-client-imports`: a module whose first statement is `'use client'` is client code
 * wherever it lives (app/error.tsx, ...), so it may import from server/ only *.schema files and
 * from infra/ only the contract folders. The folder-based arrows (components/**,
 * app/** /_components/**) are `import/no-restricted-paths` zones; this rule covers the directive,
 * which no path glob can express. Specifiers are mapped to repository paths by text: '@/x' is
 * <root>/x (the only alias in tsconfig.json), './' and '../' are relative to the file; packages are
 * ignored. Options: { root, infraAllow: ['infra/platform', ...] }.
 */
import path from 'node:path';

const isDirective = (statement) => statement.type === 'ExpressionStatement' && typeof statement.directive === 'string';

/** The specifier as a repository-relative posix path, or undefined for a package. */
function repoPath(specifier, filename, root) {
  let absolute;
  if (specifier.startsWith('@/')) absolute = path.join(root, specifier.slice(2));
  else if (specifier.startsWith('./') || specifier.startsWith('../')) {
    absolute = path.resolve(path.dirname(filename), specifier);
  } else return undefined;
  return path.relative(root, absolute).split(path.sep).join('/');
}

const inside = (target, folder) => target === folder || target.startsWith(`${folder}/`);

/** @type {import('eslint').Rule.RuleModule} */
export const useClientImports = {
  meta: {
    type: 'problem',
    docs: { description: "Keep server and platform code out of 'use client' modules." },
    messages: {
      server: "Client code ('use client') may import only *.schema files from server/, not '{{specifier}}'.",
      infra: "Client code ('use client') may import from infra/ only {{allowed}}, not '{{specifier}}'.",
    },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          infraAllow: { type: 'array', items: { type: 'string' } },
        },
        required: ['root', 'infraAllow'],
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const { root, infraAllow } = context.options[0];
    const prologue = [];
    for (const statement of context.sourceCode.ast.body) {
      if (!isDirective(statement)) break;
      prologue.push(statement.directive);
    }
    if (!prologue.includes('use client')) return {};

    const filename = context.physicalFilename;
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      const specifier = source.value;
      const target = repoPath(specifier, filename, root);
      if (target === undefined) return;
      if (inside(target, 'server') && !/\.schema(\.tsx?)?$/.test(target)) {
        context.report({ node: source, messageId: 'server', data: { specifier } });
      } else if (inside(target, 'infra') && !infraAllow.some((folder) => inside(target, folder))) {
        context.report({ node: source, messageId: 'infra', data: { specifier, allowed: infraAllow.join(', ') } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};
