/**
 * Harness that runs the port's contract suite (server/platform/contract/platform-contract.ts)
 * against a DEPLOYED stack, never against mocks. Use from a test file that is only run on purpose,
 * with AWS credentials of the console role in the environment, e.g.
 *
 *   // server/platform/aws/staging.contract.test.ts (run: LEDGERLINE_CONTRACT_STAGE=staging npx vitest run <file>)
 *   runPlatformContract('aws staging', () => makeAwsContractHarness({ stage: 'staging', region: 'us-east-1', mutations: true }));
 *
 * Mutations (redrive, replay, compensation) are refused for production.
 */
import 'server-only';
import type { Stage } from '../../../infra/platform/description';
import type { ContractHarness } from '../contract/platform-contract';
import { createAwsPlatform } from './adapter';
import { loadAwsPlatformConfig } from './config';

export interface AwsContractOptions {
  stage: Stage;
  region: string;
  mutations: boolean;
  /** How often `settle` re-checks the deployed backend. */
  pollMs?: number;
}

export async function makeAwsContractHarness(options: AwsContractOptions): Promise<ContractHarness> {
  if (options.stage === 'production' && options.mutations)
    throw new Error('the contract suite never mutates production');
  const platform = createAwsPlatform(await loadAwsPlatformConfig(options.stage, options.region));
  const pollMs = options.pollMs ?? 5_000;
  return {
    platform,
    mutations: options.mutations,
    async settle(done, timeoutMs = 15 * 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(await done())) {
        if (Date.now() > deadline)
          throw new Error(`the deployed ${options.stage} stack did not settle within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
    async compensableSagaId() {
      const admin = { id: 'contract-admin', name: 'Contract admin', role: 'admin' as const };
      const page = await platform.listSagas(admin, { status: 'SUCCEEDED', limit: 1 });
      return page.items[0]?.id ?? null;
    },
  };
}
