import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const alias = {
  '@/': root,
  'server-only': fileURLToPath(new URL('./test/server-only-noop.ts', import.meta.url)),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          environment: 'node',
          include: [
            '{server,app,components,infra/runtime,infra/saga,infra/platform,infra/embedded,bench,scripts,test/lint,test/hostile,test/pipeline}/**/*.test.{ts,tsx}',
          ],
          exclude: ['node_modules', 'e2e', '.next', 'cdk.out', '**/*.stack.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'infra',
          environment: 'node',
          // Console tests that synthesize the platform's stacks (server/**/*.stack.test.ts) run here too,
          // and the IAM evaluation of the recorded AWS requests (test/iam).
          include: ['infra/{lib,bin,test,lambda}/**/*.test.ts', 'server/**/*.stack.test.ts', 'test/iam/**/*.test.ts'],
          exclude: ['node_modules', 'cdk.out'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
