/**
 * Test support for suites that load the console's server modules (routes, pages, session): a
 * fresh data dir for the embedded platform, and the environment those modules read once at
 * import (local backend and stage, no session secret: the data dir's own is used). Call it from
 * `await vi.hoisted(async () => (await import('@/server/platform/local/test-env')).localConsoleEnv('label'))`
 * so it runs before the suite's imports read the environment.
 */
import 'server-only';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function localConsoleEnv(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ledgerline-${label}-`));
  process.env.LEDGERLINE_DATA_DIR = dir;
  process.env.LEDGERLINE_BACKEND = 'local';
  process.env.LEDGERLINE_STAGE = 'local';
  delete process.env.LEDGERLINE_SESSION_SECRET;
  return dir;
}
