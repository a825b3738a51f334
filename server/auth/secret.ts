import 'server-only';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const SECRET_FILE = 'session-secret';

/**
 * The key that signs session cookies and CSRF tokens. LEDGERLINE_SESSION_SECRET when set
 * (required with the aws backend, enforced by server/env.schema.ts); otherwise, with the local
 * backend, a random 32-byte secret generated once and kept in the data dir with mode 0600.
 * Never logged.
 */
export function loadSessionSecret(opts: {
  configured: string | undefined;
  backend: 'local' | 'aws';
  dataDir: string;
}): Uint8Array {
  if (opts.configured) return new TextEncoder().encode(opts.configured);
  if (opts.backend === 'aws') throw new Error('LEDGERLINE_SESSION_SECRET is required with the aws backend');
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const file = path.join(opts.dataDir, SECRET_FILE);
  try {
    // 'wx' fails if another process created it first: then read theirs.
    fs.writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) fs.chmodSync(file, 0o600);
  const value = fs.readFileSync(file, 'utf8').trim();
  if (value.length < 32)
    throw new Error(`The session secret in ${file} is too short; delete the file to regenerate it`);
  return new TextEncoder().encode(value);
}
