import 'server-only';
import type { Caller } from '../auth/permissions.schema';
import { consoleState } from '../db/state';
import type { AuditStore } from './store';

function store(): AuditStore {
  return consoleState().audit;
}

/** Sign-in and sign-out go to the audit log like every other action. */
export async function recordSignIn(
  caller: Caller,
  requestId: string,
  action: 'auth.sign_in' | 'auth.sign_out',
): Promise<void> {
  await store().append({
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
export async function recordSignInRefused(r: SignInRefusal): Promise<void> {
  await store().append({
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
