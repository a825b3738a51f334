import 'server-only';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openConsoleDb } from '../console-db';
import type { RedriveStore } from '../redrive-store';
import { SqliteRedriveStore } from '../sqlite-redrive-store';

/**
 * Tests and benches of the aws adapter: its redrive records in a console.db of their own, in a
 * temp dir removed on close (or with the process's temp files). `share()` is a second connection
 * to the same file: a second console task.
 */
export function tempRedriveStore(): RedriveStore & { share(): RedriveStore; close(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-redrives-'));
  const dbs = [openConsoleDb(dir)];
  const store = new SqliteRedriveStore(dbs[0]!);
  return Object.assign(store, {
    share: () => {
      const db = openConsoleDb(dir);
      dbs.push(db);
      return new SqliteRedriveStore(db);
    },
    close: () => {
      for (const db of dbs) db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  });
}
