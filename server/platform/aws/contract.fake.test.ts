import { runPlatformContract } from '../contract/platform-contract';
import { makeFakeAwsContractHarness } from './contract-harness';

/**
 * The Platform contract the local adapter passes, against the AWS adapter on mocked SDK clients
 * behind a stateful fake AWS (contract-fake-world.ts), reading through its read cache. Cases the
 * adapter fails for a defect reported to its owner run as expected failures, with the defect.
 */
runPlatformContract('aws adapter on a fake AWS', () => makeFakeAwsContractHarness(), {
  'pages dead letters with cursors that neither repeat nor skip messages':
    'aws/dead-letters.ts: a listing right after paging misses the messages the previous pages peeked (still hidden by their visibility timeout) and offers no further page',
});
