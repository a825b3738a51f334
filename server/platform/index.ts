import 'server-only';
import { consoleState } from '../db/state';
import { env } from '../env';
import type { Platform } from './port';

let platform: Promise<Platform> | undefined;

/**
 * The Platform the console talks to, chosen once by LEDGERLINE_BACKEND. Adapters are imported
 * lazily so the local mode never loads the AWS SDK and the aws mode never opens SQLite.
 */
export function getPlatform(): Promise<Platform> {
  platform ??= create().catch((error: unknown) => {
    platform = undefined; // a failed start (e.g. stack outputs unreadable) is retried on the next call
    throw error;
  });
  return platform;
}

async function create(): Promise<Platform> {
  if (env.LEDGERLINE_BACKEND === 'local') {
    const { createLocalPlatform } = await import('./local/adapter');
    return createLocalPlatform({ dataDir: env.LEDGERLINE_DATA_DIR, region: env.AWS_REGION });
  }
  const { createAwsPlatform, loadAwsPlatformConfig } = await import('./aws/adapter');
  // Redrive records live in the console's state table: any console task answers for any redrive.
  return createAwsPlatform(await loadAwsPlatformConfig(env.LEDGERLINE_STAGE, env.AWS_REGION), {
    redriveStore: consoleState().redrives,
  });
}
