import 'server-only';
import { env } from '../env';
import { loadSessionSecret } from './secret';

export interface AuthConfig {
  backend: 'local' | 'aws';
  dataDir: string;
  region: string;
  secret: Uint8Array;
}

let cached: AuthConfig | null = null;

/** Auth settings from the parsed environment, the secret loaded once per process. */
export function authConfig(): AuthConfig {
  cached ??= {
    backend: env.LEDGERLINE_BACKEND,
    dataDir: env.LEDGERLINE_DATA_DIR,
    region: env.AWS_REGION,
    secret: loadSessionSecret({
      configured: env.LEDGERLINE_SESSION_SECRET,
      backend: env.LEDGERLINE_BACKEND,
      dataDir: env.LEDGERLINE_DATA_DIR,
    }),
  };
  return cached;
}
