import 'server-only';

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { env } from '../env';

/**
 * Does the backend answer? Local: the embedded platform's database opens and answers a query.
 * (Replaced by Platform.ping() once the adapters land.)
 */
export async function probeBackend(): Promise<{ ok: boolean; detail: string }> {
  if (env.LEDGERLINE_BACKEND === 'aws') {
    return Promise.resolve({ ok: false, detail: 'the aws adapter is not built yet' });
  }
  const file = join(env.LEDGERLINE_DATA_DIR, 'ledgerline.db');
  if (!existsSync(file)) return { ok: false, detail: `embedded platform database not found at ${file}` };
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.prepare('select 1').get();
    return { ok: true, detail: `embedded platform database at ${file}` };
  } finally {
    db.close();
  }
}
