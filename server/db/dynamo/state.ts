import 'server-only';
import { CachedSeenRoles } from '../../auth/seen-roles';
import type { ConsoleState } from '../state-port';
import { DynamoApprovalStore } from './approval-store';
import { DynamoAuditStore } from './audit-store';
import { documentClient, newWriterId, type DynamoStateConfig } from './client';
import { DynamoActionClaimStore, DynamoRequestKeyStore, dynamoSeenRoleRows } from './key-stores';
import { DynamoRedriveStore } from './redrive-store';

/**
 * The DynamoDB adapter of the console's state (aws backend): the audit log in the AUDIT table
 * (this process's own chain, writer id `config.writerId` or a new one per process), approvals,
 * request keys, claims, seen roles and redrives in the STATE table. One instance per process.
 */
export function dynamoConsoleState(config: DynamoStateConfig): ConsoleState & { writerId: string } {
  const doc = documentClient(config.client);
  const writerId = config.writerId ?? newWriterId();
  return {
    kind: 'dynamodb',
    writerId,
    audit: new DynamoAuditStore(doc, config.auditTable, writerId),
    approvals: new DynamoApprovalStore(doc, config.stateTable),
    requestKeys: new DynamoRequestKeyStore(doc, config.stateTable),
    claims: new DynamoActionClaimStore(doc, config.stateTable),
    seenRoles: new CachedSeenRoles(dynamoSeenRoleRows(doc, config.stateTable)),
    redrives: new DynamoRedriveStore(doc, config.stateTable),
  };
}
