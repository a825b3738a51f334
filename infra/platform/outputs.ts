/**
 * The CloudFormation outputs the aws adapter reads (loadAwsPlatformConfig). The CDK stack
 * `${namesFor(stage).prefix}-${region}` must emit exactly these keys (infra/lib). Pure: the CDK
 * app may import this file to name its outputs, so both sides agree on one list.
 *
 * Optional outputs may be absent or the empty string: the adapter then reports the feature as
 * Unavailable (previews without the archive index, the ledger summary without the ledger table).
 */
import { roles, type Role } from './roles';

export const StackOutputKeys = {
  /** Region of the global endpoint's primary (required). */
  PrimaryRegion: 'PrimaryRegion',
  /** Failover region; optional ('' = single-region stage). */
  SecondaryRegion: 'SecondaryRegion',
  BusName: 'BusName',
  BusArn: 'BusArn',
  ArchiveName: 'ArchiveName',
  ArchiveArn: 'ArchiveArn',
  /** Comma-separated ARNs of the bus rules a replay is sent to (StartReplay FilterArns). */
  ReplayRuleArns: 'ReplayRuleArns',
  StateMachineArn: 'StateMachineArn',
  SagaTableName: 'SagaTableName',
  IdempotencyTableName: 'IdempotencyTableName',
  /** Optional: the ledger table (ledger summary). */
  LedgerTableName: 'LedgerTableName',
  /** Optional: our index of archived events (replay previews), layout in ./layout.ts. */
  ArchiveIndexTableName: 'ArchiveIndexTableName',
  /** Optional: the failure index of dead letters (triage, search, class redrive), layout in ./layout.ts. */
  FailureIndexTableName: 'FailureIndexTableName',
  /** Optional: the EventBridge global endpoint (name for DescribeEndpoint, id for its metrics). */
  GlobalEndpointName: 'GlobalEndpointName',
  GlobalEndpointId: 'GlobalEndpointId',
  /** Comma-separated queue pair ids (queuePairs of the description, one per shard). */
  QueuePairIds: 'QueuePairIds',
} as const;
export type StackOutputKey = (typeof StackOutputKeys)[keyof typeof StackOutputKeys];

/** "processing" -> "Processing", "processing-1" -> "Processing1" (output keys are alphanumeric). */
function pascal(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Output keys of one queue pair, e.g. QueuePairProcessingSourceUrl. */
export function queuePairOutputKeys(id: string) {
  const p = `QueuePair${pascal(id)}`;
  if (p === 'QueuePair') throw new Error(`queue pair id "${id}" has no alphanumeric characters`);
  return {
    sourceUrl: `${p}SourceUrl`,
    sourceArn: `${p}SourceArn`,
    dlqUrl: `${p}DlqUrl`,
    dlqArn: `${p}DlqArn`,
  } as const;
}

/** Output key of the IAM role the console assumes for a console role, e.g. OperatorRoleArnViewer. */
export function operatorRoleOutputKey(role: Role): string {
  return `OperatorRoleArn${pascal(role)}`;
}

/** Every output key for the given queue pair ids (for the CDK side and for tests). */
export function allOutputKeys(queuePairIds: readonly string[]): string[] {
  return [
    ...Object.values(StackOutputKeys),
    ...queuePairIds.flatMap((id) => Object.values(queuePairOutputKeys(id))),
    ...roles.map(operatorRoleOutputKey),
  ];
}
