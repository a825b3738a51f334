import 'server-only';
import { authConfig } from '../auth/config';
import type { Caller } from '../auth/permissions.schema';
import { consoleDb } from '../db/console-db';
import { SqliteAuditStore } from './store';

function store(): SqliteAuditStore {
  return new SqliteAuditStore(consoleDb(authConfig().dataDir));
}

/** Sign-in and sign-out go to the audit log like every other action. */
export function recordSignIn(caller: Caller, requestId: string, action: 'auth.sign_in' | 'auth.sign_out'): void {
  store().append({
    requestId,
    actor: caller,
    action,
    outcome: action === 'auth.sign_in' ? 'signed_in' : 'signed_out',
  });
}

export interface SignInRefusal {
  /** The email tried (the actor: no user id, it may not be anyone's). */
  email: string;
  /** The client's address (the row's target, so the audit search finds it). */
  address: string;
  requestId: string;
  /** failed = wrong email or password; throttled = refused before checking (first refusal of each wait only). */
  outcome: 'failed' | 'throttled';
  failures: number;
  retryAfterSeconds?: number;
}

/** A refused sign-in: the email tried and the address, never the password. */
export function recordSignInRefused(r: SignInRefusal): void {
  store().append({
    requestId: r.requestId,
    actor: { id: r.email, name: r.email, role: 'none' },
    action: 'auth.sign_in',
    outcome: r.outcome,
    target: r.address,
    result: {
      failures: r.failures,
      ...(r.retryAfterSeconds !== undefined ? { retryAfterSeconds: r.retryAfterSeconds } : {}),
    },
  });
}
