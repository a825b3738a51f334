import { describe } from 'vitest';
import { stages, type Stage } from '../../../infra/platform/description';
import { runPlatformContract } from '../contract/platform-contract';
import { makeAwsContractHarness } from './contract-harness';

/**
 * The Platform contract, unchanged, against a real endpoint: a deployed stack, or an AWS API
 * emulator at AWS_ENDPOINT_URL, with the console role's credentials from the default provider
 * chain. Only with AWS_ENDPOINT_URL or credentials in the environment (README, "AWS adapter
 * contract"); mutating cases only with LEDGERLINE_CONTRACT_MUTATIONS=true, never in production.
 */
const env = process.env;
const target =
  env.AWS_ENDPOINT_URL ??
  env.AWS_ACCESS_KEY_ID ??
  env.AWS_PROFILE ??
  env.AWS_WEB_IDENTITY_TOKEN_FILE ??
  env.AWS_CONTAINER_CREDENTIALS_FULL_URI ??
  env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
const stage = (env.LEDGERLINE_CONTRACT_STAGE ?? 'staging') as Stage;

const enabled = Boolean(target) && stages.includes(stage);

// Without a target every contract case is reported as skipped (the real cases, not a placeholder).
describe.skipIf(!enabled)(
  'Platform contract against a real endpoint (set AWS_ENDPOINT_URL or AWS credentials, and LEDGERLINE_CONTRACT_STAGE)',
  () => {
    runPlatformContract(`aws ${stage} at ${env.AWS_ENDPOINT_URL ?? 'AWS'}`, () =>
      makeAwsContractHarness({
        stage,
        region: env.AWS_REGION ?? 'us-east-1',
        mutations: env.LEDGERLINE_CONTRACT_MUTATIONS === 'true' && stage !== 'production',
      }),
    );
  },
);
