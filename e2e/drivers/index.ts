/**
 * Picks the platform driver: E2E_DRIVER=local|aws, else the console's own backend (GET
 * /api/health): the embedded platform's admin API for `local`, AWS otherwise.
 */
import { AwsDriver, awsDriverConfigFromEnv } from './aws-driver';
import { openConsoleSession, sagaStatusReader } from './console-session';
import { LocalAdminDriver } from './local-admin-driver';
import type { PlatformDriver } from './platform-driver';

export async function createDriver(testTitle: string): Promise<PlatformDriver> {
  const session = await openConsoleSession('admin');
  let kind = process.env.E2E_DRIVER;
  if (kind !== undefined && kind !== 'local' && kind !== 'aws')
    throw new Error(`E2E_DRIVER must be local or aws, got ${JSON.stringify(kind)}`);
  if (!kind) {
    const health = (await (await session.request.get('/api/health')).json()) as { backend?: string };
    kind = health.backend === 'local' ? 'local' : 'aws';
  }
  return kind === 'local'
    ? new LocalAdminDriver(session, testTitle)
    : new AwsDriver(awsDriverConfigFromEnv(), sagaStatusReader(session));
}
