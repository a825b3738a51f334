import 'server-only';
import { authConfig } from '../auth/config';
import type { Caller } from '../auth/permissions.schema';
import { consoleDb } from '../db/console-db';
import { SqliteAuditStore } from './store';

/** Sign-in and sign-out go to the audit log like every other action. */
export function recordSignIn(caller: Caller, requestId: string, action: 'auth.sign_in' | 'auth.sign_out'): void {
  new SqliteAuditStore(consoleDb(authConfig().dataDir)).append({
    requestId,
    actor: caller,
    action,
    outcome: action === 'auth.sign_in' ? 'signed_in' : 'signed_out',
  });
}
