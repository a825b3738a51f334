/** The repository's own ESLint rules, loaded by eslint.config.js as the `local` plugin. */
import { requireServerOnly } from './rules/require-server-only.js';
import { useClientImports } from './rules/use-client-imports.js';

export const localPlugin = {
  meta: { name: 'ledgerline-local' },
  rules: {
    'require-server-only': requireServerOnly,
    'use-client-imports': useClientImports,
  },
};
