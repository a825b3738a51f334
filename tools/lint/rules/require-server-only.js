/**
 * `local/require-server-only`: a module of the console's server starts with `import 'server-only';`
 * (after any directive prologue), so that a client bundle importing it fails the build instead of
 * shipping server code. Which files it applies to (server/**, less *.schema.ts and tests) is
 * configured in eslint.config.js. Fixable when the import is absent altogether.
 */
const isDirective = (statement) => statement.type === 'ExpressionStatement' && typeof statement.directive === 'string';

const isServerOnlyImport = (statement) =>
  statement?.type === 'ImportDeclaration' &&
  statement.source.value === 'server-only' &&
  statement.specifiers.length === 0;

/** @type {import('eslint').Rule.RuleModule} */
export const requireServerOnly = {
  meta: {
    type: 'problem',
    fixable: 'code',
    docs: { description: "Require `import 'server-only';` as the first statement of a server module." },
    messages: {
      missing: "A server/ module starts with `import 'server-only';` (only *.schema.ts files and tests are exempt).",
      notFirst: "`import 'server-only';` must be the module's first statement.",
    },
    schema: [],
  },
  create(context) {
    return {
      Program(program) {
        const statements = program.body.filter((statement) => !isDirective(statement));
        const first = statements[0];
        if (isServerOnlyImport(first)) return;
        const existing = statements.find(isServerOnlyImport);
        if (existing) {
          context.report({ node: existing, messageId: 'notFirst' });
          return;
        }
        const directives = program.body.filter(isDirective);
        const after = directives.at(-1);
        context.report({
          loc: { line: 1, column: 0 },
          messageId: 'missing',
          fix: (fixer) =>
            after
              ? fixer.insertTextAfter(after, "\nimport 'server-only';")
              : fixer.insertTextBeforeRange([0, 0], "import 'server-only';\n\n"),
        });
      },
    };
  },
};
