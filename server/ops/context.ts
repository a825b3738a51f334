import 'server-only';
import type { Stage } from '../../infra/platform/description';
import { defaultPolicy, type ApprovalPolicy } from '../approvals/policy';
import type { ApprovalStore } from '../approvals/store';
import type { AuditStore } from '../audit/store';
import type { Caller } from '../auth/permissions.schema';
import { findLocalUser } from '../auth/users';
import type { ActionClaimStore } from '../db/action-claim-store';
import { consoleDb } from '../db/console-db';
import type { RequestKeyStore } from '../db/request-key-store';
import { sqliteConsoleState } from '../db/sqlite-state';
import type { ConsoleState } from '../db/state-port';
import type { Platform } from '../platform/port';

/**
 * Who a user is NOW (current role), for acting on their behalf later: an approved action runs
 * with the requester's current role, never the role stored when they asked.
 */
export type UserDirectory =
  | { kind: 'resolvable'; current: (userId: string) => Promise<Caller | null> }
  /** No directory the console can ask: approved actions are refused (not used by createOpsContext). */
  | { kind: 'unresolvable'; why: string };

/** Everything a write verb needs; tests build one on a temp data dir with the real local adapter. */
export interface OpsContext {
  platform: Platform;
  audit: AuditStore;
  approvals: ApprovalStore;
  /** Operator requests' Idempotency-Key records. */
  requestKeys: RequestKeyStore;
  /** Write actions in flight, one per scope: the server-side guard against duplicate actions. */
  claims: ActionClaimStore;
  policy: ApprovalPolicy;
  users: UserDirectory;
  now: () => number;
}

/** Per request: the request id and the Idempotency-Key header. */
export interface RequestMeta {
  requestId: string;
  idempotencyKey: string | null;
}

export function createOpsContext(
  platform: Platform,
  dataDir: string,
  stage: Stage,
  now: () => number = Date.now,
  backend: 'local' | 'aws' = 'local',
  /** The console's state (server/db/state.ts chooses it from the environment); default: console.db in dataDir. */
  state: ConsoleState = sqliteConsoleState(dataDir),
): OpsContext {
  return {
    platform,
    audit: state.audit,
    approvals: state.approvals,
    requestKeys: state.requestKeys,
    claims: state.claims,
    policy: defaultPolicy(stage),
    users:
      backend === 'local'
        ? { kind: 'resolvable', current: (userId) => Promise.resolve(findLocalUser(consoleDb(dataDir), userId)) }
        : // aws: no directory to ask, so the current role is the one the identity provider last
          // asserted to this console (recorded by getSession on every verified ALB token). Freshness:
          // a demotion takes effect as soon as the user's next request carries the new role, and at
          // the latest when their ALB session ends (the listener's session timeout), since the next
          // sign-in asserts the new role. A demoted user who sends no further request keeps the last
          // asserted role here; their pending requests still expire with the approval TTL.
          { kind: 'resolvable', current: (userId) => state.seenRoles.lastSeen(userId) },
    now,
  };
}
