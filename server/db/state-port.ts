import 'server-only';
import type { ApprovalStore } from '../approvals/store';
import type { AuditStore } from '../audit/store';
import type { SeenRoleStore } from '../auth/seen-roles';
import type { ActionClaimStore } from './action-claim-store';
import type { RedriveStore } from './redrive-store';
import type { RequestKeyStore } from './request-key-store';

/**
 * The console's own state, behind one port with two adapters: SQLite (console.db in the data
 * dir; local backend) and DynamoDB (the audit and state tables of infra/platform/console.ts; aws
 * backend, shared by every console task). Every method is async; server/db/state-contract.ts is
 * the suite both adapters pass.
 */
export interface ConsoleState {
  kind: 'sqlite' | 'dynamodb';
  audit: AuditStore;
  approvals: ApprovalStore;
  /** Operator requests' Idempotency-Key records. */
  requestKeys: RequestKeyStore;
  /** Write actions in flight, one per scope. */
  claims: ActionClaimStore;
  /** The role the identity provider last asserted for each user (aws backend). */
  seenRoles: SeenRoleStore;
  /** The redrives the console started on AWS, and the progress of selected redrives. */
  redrives: RedriveStore;
}
