import 'server-only';
import { env } from '../env';
import { loadSessionSecret } from './secret';

export interface AuthConfig {
  backend: 'local' | 'aws';
  dataDir: string;
  region: string;
  /** The load balancer whose OIDC tokens are accepted (aws backend; required there by env.schema). */
  albArn: string | undefined;
  secret: Uint8Array;
}

let cached: AuthConfig | null = null;

/** Auth settings from the parsed environment, the secret loaded once per process. */
export function authConfig(): AuthConfig {
  cached ??= {
    backend: env.LEDGERLINE_BACKEND,
    dataDir: env.LEDGERLINE_DATA_DIR,
    region: env.AWS_REGION,
    albArn: env.LEDGERLINE_ALB_ARN,
    secret: loadSessionSecret({
      configured: env.LEDGERLINE_SESSION_SECRET,
      backend: env.LEDGERLINE_BACKEND,
      dataDir: env.LEDGERLINE_DATA_DIR,
    }),
  };
  return cached;
}
