/**
 * The platform stack's outputs. `StackOutputKeys` (infra/platform/outputs.ts) are what the
 * console's aws adapter reads (configFromOutputs): every stack emits the required ones, and the
 * optional ones where the resource exists in that region. The global tables and IAM roles are
 * created by the primary stack but are addressable from both regions (a table replica has the
 * table's name, IAM is global), so the secondary stack emits their names/ARNs too. The other
 * outputs are for operators and scripts. The outputs are the stack's own (scope: the stack), so
 * their logical ids and export names are the output keys.
 */
import { CfnOutput, Fn, type Stack } from 'aws-cdk-lib';
import { ARCHIVE_RETENTION_DAYS, type PlatformNames, type Stage } from '../../platform/description';
import { operatorRoleOutputKey, queuePairOutputKeys, StackOutputKeys } from '../../platform/outputs';
import { roles } from '../../platform/roles';
import type { Messaging } from './messaging';
import type { Observability } from './observability';
import type { OperatorRoles } from './operator-roles';
import type { Processing } from './processing';
import type { Saga } from './saga';
import type { State } from './state';

export interface PlatformOutputsProps {
  stage: Stage;
  /** The stage's resource names (namesFor(stage)). */
  names: PlatformNames;
  primaryRegion: string;
  /** The stage's failover region, if it has one. */
  secondaryRegion?: string;
  /** Queue pair id of each shard of `messaging`, in shard order (shardQueuePairIds). */
  queuePairIds: string[];
  /** Events per minute the mappings and concurrency were sized for (the capacity plan). */
  sizedForEventsPerMinute: number;
  messaging: Messaging;
  processing: Processing;
  saga: Saga;
  observability: Observability;
  /** The global tables (primary stack only; the secondary stack outputs their names). */
  state?: State;
  /** The console's roles (primary stack only; the secondary stack outputs their ARNs). */
  operatorRoles?: OperatorRoles;
}

/** Every output but the global endpoint's (constructs/failover.ts, under the endpoint's condition). */
export function addPlatformOutputs(stack: Stack, props: PlatformOutputsProps): void {
  const out = (id: string, value: string, description: string) =>
    new CfnOutput(stack, id, { value, description, exportName: `${stack.stackName}-${id}` });
  const { names, messaging, state, operatorRoles } = props;
  const k = StackOutputKeys;

  // ---- the aws adapter's outputs
  out(k.PrimaryRegion, props.primaryRegion, "Region of the global endpoint's primary");
  if (props.secondaryRegion) out(k.SecondaryRegion, props.secondaryRegion, 'Failover region');
  out(k.BusName, messaging.bus.eventBusName, 'Bus the producers and replays use');
  out(k.BusArn, messaging.bus.eventBusArn, 'Bus ARN');
  out(
    k.ArchiveName,
    messaging.archive.archiveName,
    `Archive of the transaction sources (${ARCHIVE_RETENTION_DAYS} days)`,
  );
  out(k.ArchiveArn, messaging.archive.archiveArn, 'Archive ARN');
  out(
    k.ReplayRuleArns,
    Fn.join(
      ',',
      messaging.shards.map((s) => s.rule.ruleArn),
    ),
    'Rules a replay is delivered to (StartReplay FilterArns), comma-separated',
  );
  out(k.StateMachineArn, props.saga.stateMachine.stateMachineArn, 'Payment saga (Standard)');
  const table = (t: 'idempotency' | 'saga' | 'ledger' | 'archiveIndex', name: string) =>
    state ? state[t].tableName : name;
  out(k.IdempotencyTableName, table('idempotency', names.idempotencyTable), 'Idempotency records (TTL expiryTime)');
  out(k.SagaTableName, table('saga', names.sagaTable), 'Saga state and summary items');
  out(k.LedgerTableName, table('ledger', names.ledgerTable), 'Accounts, holds, journal, settlements');
  out(
    k.ArchiveIndexTableName,
    table('archiveIndex', names.archiveIndexTable),
    'Index of archived events (replay previews)',
  );
  out(
    k.FailureIndexTableName,
    props.processing.failureIndex.tableName,
    "Failure index of this region's dead letters (triage, search, class redrive)",
  );
  const pairIds = props.queuePairIds;
  out(k.QueuePairIds, pairIds.join(','), 'Queue pair ids (one per processing shard), comma-separated');
  messaging.shards.forEach((s, i) => {
    const keys = queuePairOutputKeys(pairIds[i]!);
    out(keys.sourceUrl, s.queue.queueUrl, `${s.names.source} URL`);
    out(keys.sourceArn, s.queue.queueArn, `${s.names.source} ARN`);
    out(keys.dlqUrl, s.dlq.queueUrl, `${s.names.dlq} URL`);
    out(keys.dlqArn, s.dlq.queueArn, `${s.names.dlq} ARN`);
  });
  for (const role of roles) {
    const r = operatorRoles?.roles[role];
    const roleArn = r
      ? r.roleArn
      : stack.formatArn({
          service: 'iam',
          region: '',
          resource: 'role',
          resourceName: `${names.prefix}-console-${role}`,
        });
    out(operatorRoleOutputKey(role), roleArn, `Role the console assumes for a ${role}`);
  }

  // ---- operators and scripts
  out('Stage', props.stage, 'Stage of this stack');
  out('BusDlqUrl', messaging.busDlq.queueUrl, 'Bus dead-letter queue URL');
  out('BusDlqArn', messaging.busDlq.queueArn, 'Bus dead-letter queue ARN');
  out('ProcessorFunctionName', props.processing.processor.fn.functionName, 'Processor function');
  out('AlarmTopicArn', props.observability.topic.topicArn, 'SNS topic of the alarms');
  out('DashboardName', props.observability.dashboard.dashboardName, 'Operations dashboard');
  out('AlarmPrefix', `${names.prefix}-`, 'Prefix of every alarm name');
  out(
    'SizedForEventsPerMinute',
    String(props.sizedForEventsPerMinute),
    'Capacity the mappings and concurrency were sized for',
  );
  if (state) out('AuditTableName', state.audit.tableName, 'Audit and approval records');
}
