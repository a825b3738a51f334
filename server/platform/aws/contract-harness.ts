/**
 * Harnesses that run the port's contract suite (server/platform/contract/platform-contract.ts)
 * against the AWS adapter:
 * - makeFakeAwsContractHarness: on mocked SDK clients (aws-sdk-client-mock) behind a stateful fake
 *   AWS world (contract-fake-world.ts: responses shaped as AWS returns them, DynamoDB on dynalite),
 *   with the adapter's read cache; in `npm test` (contract.fake.test.ts).
 * - makeAwsContractHarness: against a DEPLOYED stack (or an AWS API emulator at AWS_ENDPOINT_URL),
 *   never against mocks, with the credentials of the console role in the environment
 *   (contract.endpoint.test.ts, which skips without them; the command is in the README).
 * Mutations (redrive, replay, compensation) are refused for production.
 */
import 'server-only';
import type { Stage } from '../../../infra/platform/description';
import { tempRedriveStore } from '../../db/testing/temp-redrive-store';
import type { ContractHarness } from '../contract/platform-contract';
import type { Platform } from '../port';
import { createAwsPlatform } from './adapter';
import { loadAwsPlatformConfig } from './config';
import { fakeStackConfig } from './contract-fake-config';
import { startFakeAwsWorld } from './contract-fake-world';
import { ReadCache } from './read-cache';

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
  // The deployed stack's own redrive records stay untouched: this suite's are in a temp console.db.
  const redriveStore = tempRedriveStore();
  const platform = createAwsPlatform(await loadAwsPlatformConfig(options.stage, options.region), { redriveStore });
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
    compensableSagaId: () => newestSucceededSaga(platform),
    cleanup: () => {
      redriveStore.close();
      return Promise.resolve();
    },
  };
}

/** The newest SUCCEEDED saga: the one a compensation case refunds. */
async function newestSucceededSaga(platform: Platform): Promise<string | null> {
  const admin = { id: 'contract-admin', name: 'Contract admin', role: 'admin' as const };
  const page = await platform.listSagas(admin, { status: 'SUCCEEDED', limit: 1 });
  return page.items[0]?.id ?? null;
}

/** Real milliseconds between two checks of `settle` on the fake world (it moves 500 ms of its own time). */
const FAKE_SETTLE_STEP_MS = 500;

/**
 * The adapter on mocked clients behind a stateful fake AWS world (a staging stack), reading through
 * its read cache, on the world's clock: `settle` and the adapter's sleeps move that clock, so
 * replays, compensations and message moves finish without waiting for them in real time.
 */
export async function makeFakeAwsContractHarness(options: { latencyMs?: number } = {}): Promise<ContractHarness> {
  const config = fakeStackConfig('staging', 'us-east-1');
  const world = await startFakeAwsWorld(config, options);
  const tick = () => new Promise((resolve) => setTimeout(resolve, 2));
  const redriveStore = tempRedriveStore();
  const platform = createAwsPlatform(config, {
    redriveStore,
    clientsFor: (caller) => world.clientsFor(caller.role),
    readCache: new ReadCache({ now: world.clock.now }),
    consoleSts: world.consoleSts,
    now: world.clock.now,
    sleep: async (ms) => {
      world.clock.advance(ms);
      await tick();
    },
  });
  return {
    platform,
    mutations: true,
    async settle(done, timeoutMs = 10 * 60_000) {
      for (let waited = 0; !(await done()); waited += FAKE_SETTLE_STEP_MS) {
        if (waited > timeoutMs) throw new Error(`the fake AWS world did not settle within ${timeoutMs} ms of its time`);
        world.clock.advance(FAKE_SETTLE_STEP_MS);
        await tick();
      }
    },
    compensableSagaId: () => newestSucceededSaga(platform),
    cleanup: async () => {
      await world.close();
      redriveStore.close();
    },
  };
}
