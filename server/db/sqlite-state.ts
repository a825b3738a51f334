import 'server-only';
import { SqliteApprovalStore } from '../approvals/store';
import { SqliteAuditStore } from '../audit/store';
import { sqliteSeenRoles } from '../auth/seen-roles';
import { SqliteActionClaimStore } from './action-claim-store';
import { consoleDb } from './console-db';
import { SqliteRequestKeyStore } from './request-key-store';
import { SqliteRedriveStore } from './sqlite-redrive-store';
import type { ConsoleState } from './state-port';

/** The SQLite adapter of the console's state: console.db in `dataDir` (one connection per process). */
export function sqliteConsoleState(dataDir: string): ConsoleState {
  const db = consoleDb(dataDir);
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
