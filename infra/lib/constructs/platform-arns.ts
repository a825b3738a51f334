/**
 * The ARNs of every platform resource in every region of a stage, as the operator roles'
 * policies need them (PlatformArns of operator-roles.ts). Built from names, not from the
 * resources: the secondary region's resources belong to another stack, and the global tables'
 * replicas exist in both regions.
 */
import { ArnFormat, type Stack } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { PlatformNames } from '../../platform/description';
import type { ProcessingShardNames } from './messaging';
import type { PlatformArns } from './operator-roles';
import type { StateTableNames } from './state';

/** ARN of the table `name` of the stack's account in `region` (default: the stack's region). */
export function tableArn(stack: Stack, name: string, region: string = stack.region): string {
  return stack.formatArn({ service: 'dynamodb', region, resource: 'table', resourceName: name });
}

/** ARN of the state machine `name` in the stack's region, and the pattern of its executions' ARNs. */
export function stateMachineArns(stack: Stack, name: string): { stateMachineArn: string; executionArnPattern: string } {
  const stateMachineArn = stack.formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const executionArnPattern = stack.formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${name}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return { stateMachineArn, executionArnPattern };
}

/** ARN of the alias `aliasName` (without `alias/`) of the stage key in `region`. */
export function keyAliasArn(stack: Stack, region: string, aliasName: string): string {
  return stack.formatArn({ service: 'kms', region, resource: 'alias', resourceName: aliasName });
}

export interface PlatformArnsProps {
  /** The stage's primary region (first in the list of regions; home of the global endpoint). */
  primaryRegion: string;
  /** The stage's secondary region, if it has one (production): then it has a global endpoint. */
  secondaryRegion?: string;
  /** The stage's resource names (namesFor(stage)). */
  names: PlatformNames;
  /** The queue names of every processing shard (the same in every region). */
  shards: ProcessingShardNames[];
  /** The global tables' names (the same in every region). */
  tables: StateTableNames;
  /** The stage key of this stack's region; the other regions' keys are matched by alias. */
  key: IKey;
  /** Alias of the stage key, carried by its copy in every region. */
  keyAliasName: string;
}

export function platformArns(stack: Stack, props: PlatformArnsProps): PlatformArns {
  const { names, shards, tables } = props;
  const regions = [props.primaryRegion, ...(props.secondaryRegion ? [props.secondaryRegion] : [])];
  const arn = (
    service: string,
    r: string,
    resource: string,
    resourceName?: string,
    sep = ArnFormat.SLASH_RESOURCE_NAME,
  ) => stack.formatArn({ service, region: r, resource, resourceName, arnFormat: sep });
  return {
    regions,
    sourceQueueArns: regions.flatMap((r) =>
      shards.map((s) => arn('sqs', r, s.source, undefined, ArnFormat.NO_RESOURCE_NAME)),
    ),
    dlqArns: regions.flatMap((r) => shards.map((s) => arn('sqs', r, s.dlq, undefined, ArnFormat.NO_RESOURCE_NAME))),
    busArns: regions.map((r) => arn('events', r, 'event-bus', names.busName)),
    archiveArns: regions.map((r) => arn('events', r, 'archive', names.archiveName)),
    replayArnPatterns: regions.map((r) => arn('events', r, 'replay', `${names.prefix}-*`)),
    stateMachineArns: regions.map((r) =>
      arn('states', r, 'stateMachine', names.stateMachineName, ArnFormat.COLON_RESOURCE_NAME),
    ),
    executionArnPatterns: regions.map((r) =>
      arn('states', r, 'execution', `${names.stateMachineName}:*`, ArnFormat.COLON_RESOURCE_NAME),
    ),
    alarmArnPatterns: regions.map((r) =>
      arn('cloudwatch', r, 'alarm', `${names.prefix}-*`, ArnFormat.COLON_RESOURCE_NAME),
    ),
    sagaTableArns: regions.map((r) => tableArn(stack, tables.saga, r)),
    auditTableArns: regions.map((r) => tableArn(stack, tables.audit, r)),
    ledgerTableArns: regions.map((r) => tableArn(stack, tables.ledger, r)),
    idempotencyTableArns: regions.map((r) => tableArn(stack, tables.idempotency, r)),
    archiveIndexTableArns: regions.map((r) => tableArn(stack, tables.archiveIndex, r)),
    // The global endpoint lives in the primary region (production only).
    endpointArns: props.secondaryRegion ? [arn('events', props.primaryRegion, 'endpoint', names.endpointName)] : [],
    keyArns: [props.key.keyArn, ...regions.filter((r) => r !== stack.region).map((r) => arn('kms', r, 'key', '*'))],
    kmsAliasName: props.keyAliasName,
  };
}
