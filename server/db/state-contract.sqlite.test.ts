import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteApprovalStore } from '../approvals/store';
import { SqliteAuditStore } from '../audit/store';
import { sqliteSeenRoles } from '../auth/seen-roles';
import { SqliteActionClaimStore } from './action-claim-store';
import { openConsoleDb, type ConsoleDb } from './console-db';
import { SqliteRequestKeyStore } from './request-key-store';
import { SqliteRedriveStore } from './sqlite-redrive-store';
import { runStateContract } from './state-contract';
import type { ConsoleState } from './state-port';

/** Two connections to one console.db in a temp dir: two console processes on one file. */
function instance(db: ConsoleDb): ConsoleState {
  return {
    kind: 'sqlite',
    audit: new SqliteAuditStore(db),
    approvals: new SqliteApprovalStore(db),
    requestKeys: new SqliteRequestKeyStore(db),
    claims: new SqliteActionClaimStore(db),
    seenRoles: sqliteSeenRoles(db),
    redrives: new SqliteRedriveStore(db),
  };
}

runStateContract('sqlite', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-state-contract-'));
  const dbs = [openConsoleDb(dir), openConsoleDb(dir)] as const;
  return Promise.resolve({
    a: instance(dbs[0]),
    b: instance(dbs[1]),
    tamperAuditEntry: () => {
      // The table refuses UPDATE by trigger; someone with the file can drop the trigger first.
      dbs[0].exec("DROP TRIGGER audit_no_update; UPDATE audit SET reason = 'edited' WHERE seq = 3");
      return Promise.resolve();
    },
    close: () => {
      for (const db of dbs) db.close();
      fs.rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
});
