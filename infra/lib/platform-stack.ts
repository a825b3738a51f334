/**
 * One stack per stage and region. Staging: us-east-1 only. Production: the primary stack in
 * us-east-1 (global tables with their eu-west-1 replicas, the global endpoint, the console's
 * IAM roles) and a secondary stack in eu-west-1 (key, network, bus, archive, queues,
 * functions, saga, alarms), created only for production — decided at synth time, because a
 * CloudFormation Condition cannot create resources in another region.
 */
import {
  ArnFormat,
  Aws,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Tags,
  type CfnResource,
  type StackProps,
} from 'aws-cdk-lib';
import { PrincipalWithConditions, ServicePrincipal, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  alarmName,
  ARCHIVE_RETENTION_DAYS,
  DEFAULT_EVENT_PROCESSING_CAPACITY,
  detailTypes,
  eventSources,
  MAX_RECEIVE_COUNT,
  namesFor,
  type Stage,
} from '../platform/description';
import { operatorRoleOutputKey, queuePairOutputKeys, StackOutputKeys } from '../platform/outputs';
import { roles } from '../platform/roles';
import { planCapacity, surfaceCapacityPlan, type CapacityPlan } from './capacity';
import { ArchiveIndexer } from './constructs/archive-indexer';
import { GlobalEndpoint } from './constructs/global-endpoint';
import { PlatformKey } from './constructs/keys';
import { Messaging } from './constructs/messaging';
import { Network } from './constructs/network';
import { Observability } from './constructs/observability';
import { OperatorRoles, type PlatformArns } from './constructs/operator-roles';
import { Processing } from './constructs/processing';
import { Saga } from './constructs/saga';
import type { SagaTaskName } from './constructs/saga-asl';
import { State } from './constructs/state';

export type DeployedStage = Exclude<Stage, 'local'>;

/**
 * Queue pair id of each shard, in shard order: shard 0 keeps the description's id
 * ("processing"), shard i > 0 is "<id>-s<i>" (its queues are named the same way).
 */
export function shardQueuePairIds(shards: { id: string; source: string }[], prefix: string): string[] {
  return shards.map((s) => {
    const base = `${prefix}-${s.id}`;
    return s.source === base ? s.id : `${s.id}-${s.source.slice(base.length + 1)}`;
  });
}

export interface PlatformStackProps extends StackProps {
  stage: DeployedStage;
  /** primary: us-east-1 (tables, endpoint, IAM); secondary: eu-west-1 (production only). */
  placement: 'primary' | 'secondary';
  primaryRegion: string;
  /** The secondary region of the stage, if it has one (production). */
  secondaryRegion?: string;
  /** The only region that writes items (see constructs/state.ts). */
  writeRegion: string;
  /** Capacity the synth-time model sizes for (events/min). */
  plannedCapacityPerMinute: number;
  /** Who runs the console (assumes the console runtime role). Default: ECS tasks of this account. */
  consoleRuntimePrincipal?: IPrincipal;
  owner: string;
  costCenter: string;
}

function sagaFunctions(tasks: Record<SagaTaskName, { fn: IFunction }>): Record<SagaTaskName, IFunction> {
  const out = {} as Record<SagaTaskName, IFunction>;
  for (const name of Object.keys(tasks) as SagaTaskName[]) out[name] = tasks[name].fn;
  return out;
}

/** Tags every resource carries (Tags.of(stack) propagates them to every taggable resource). */
export function platformTags(
  props: Pick<PlatformStackProps, 'stage' | 'owner' | 'costCenter'>,
): Record<string, string> {
  return {
    Environment: props.stage,
    Application: 'ledgerline',
    Owner: props.owner,
    CostCenter: props.costCenter,
    DataClassification: 'confidential-pci',
    Compliance: 'PCI-DSS-3.2.1 NIST-800-53-R5',
  };
}

export class PlatformStack extends Stack {
  readonly plan: CapacityPlan;
  readonly messaging: Messaging;
  readonly processing: Processing;
  readonly saga: Saga;
  readonly observability: Observability;
  readonly state?: State;
  readonly globalEndpoint?: GlobalEndpoint;
  readonly operatorRoles?: OperatorRoles;
  readonly archiveIndexer: ArchiveIndexer;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { stage } = props;
    const names = namesFor(stage);
    const region = this.region;
    const isPrimary = props.placement === 'primary';
    const production = stage === 'production';
    const removalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = production ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH;
    this.plan = planCapacity(props.plannedCapacityPerMinute);
    // Synth-time info + one `ledgerline:capacity-quota` warning per quota this account/region must raise.
    surfaceCapacityPlan(this, this.plan);

    for (const [k, v] of Object.entries(platformTags(props))) Tags.of(this).add(k, v);

    const capacity = new CfnParameter(this, 'EventProcessingCapacity', {
      type: 'Number',
      default: DEFAULT_EVENT_PROCESSING_CAPACITY,
      minValue: 10_000,
      maxValue: 1_000_000,
      description: `Events per minute the platform must process. Drives the high-event-volume alarm at deploy time; queue shards, batching and concurrency were sized at synth time for ${props.plannedCapacityPerMinute} events/min (capacity model).`,
    });

    const key = new PlatformKey(this, 'Keys', { aliasName: names.prefix, removalPolicy: RemovalPolicy.RETAIN });
    const network = new Network(this, 'Network', { key: key.key, logRetention, removalPolicy });

    const shardNames = names.queues.flatMap((q) =>
      Array.from({ length: this.plan.shards }, (_, i) =>
        i === 0 ? q : { id: q.id, source: `${q.source}-s${i}`, dlq: `${q.dlq.replace(/-dlq$/, '')}-s${i}-dlq` },
      ),
    );
    this.messaging = new Messaging(this, 'Messaging', {
      key: key.key,
      busName: names.busName,
      busDlqName: names.busDlqName,
      archiveName: names.archiveName,
      eventSources,
      detailTypes,
      archiveRetention: Duration.days(ARCHIVE_RETENTION_DAYS),
      shards: shardNames,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      visibilityTimeout: Duration.seconds(this.plan.visibilityTimeoutSeconds),
      removalPolicy,
    });

    const tableNames = {
      idempotency: names.idempotencyTable,
      saga: names.sagaTable,
      audit: names.auditTable,
      ledger: names.ledgerTable,
      archiveIndex: names.archiveIndexTable,
    };
    const tableArn = (name: string, r = region) =>
      this.formatArn({ service: 'dynamodb', region: r, resource: 'table', resourceName: name });
    if (isPrimary) {
      const replicaKeyArns: Record<string, string> = {};
      if (props.secondaryRegion) {
        // Alias ARN of the stage key in the replica region (created by that region's stack, deployed first).
        replicaKeyArns[props.secondaryRegion] = this.formatArn({
          service: 'kms',
          region: props.secondaryRegion,
          resource: 'alias',
          resourceName: names.prefix,
        });
      }
      this.state = new State(this, 'State', {
        names: tableNames,
        key: key.key,
        replicaKeyArns,
        writeRegion: props.writeRegion,
        region,
        removalPolicy: RemovalPolicy.RETAIN,
        deletionProtection: production,
      });
    }
    const stateMachineArn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: names.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    const executionArnPattern = this.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${names.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    this.processing = new Processing(this, 'Processing', {
      stage,
      prefix: names.prefix,
      processorFunctionName: names.processorFunctionName,
      functionsDlqName: names.functionsDlqName,
      plan: this.plan,
      queues: this.messaging.shards.map((s) => s.queue),
      controlDlq: this.messaging.busDlq,
      processingEnabled: props.writeRegion === region,
      idempotencyTable: { name: tableNames.idempotency, arn: tableArn(tableNames.idempotency) },
      sagaTable: { name: tableNames.saga, arn: tableArn(tableNames.saga) },
      ledgerTable: { name: tableNames.ledger, arn: tableArn(tableNames.ledger) },
      stateMachineArn,
      executionArnPattern,
      downstreamAlarmName: alarmName(stage, 'downstream-failures'),
      busArn: this.messaging.bus.eventBusArn,
      busName: names.busName,
      key: key.key,
      vpc: network.vpc,
      securityGroup: network.functionsSecurityGroup,
      logRetention,
      removalPolicy,
    });
    this.archiveIndexer = new ArchiveIndexer(this, 'ArchiveIndexer', {
      stage,
      prefix: names.prefix,
      bus: this.messaging.bus,
      eventSources,
      archiveRetentionDays: ARCHIVE_RETENTION_DAYS,
      reservedConcurrency: this.plan.archiveIndexerReservedConcurrency,
      table: { name: tableNames.archiveIndex, arn: tableArn(tableNames.archiveIndex) },
      enabled: props.writeRegion === region,
      deadLetterQueue: this.messaging.busDlq,
      functionsDlq: this.processing.functionsDlq,
      key: key.key,
      vpc: network.vpc,
      securityGroup: network.functionsSecurityGroup,
      logRetention,
      removalPolicy,
    });
    if (this.state) {
      // The functions address the tables by name: deploy the tables first.
      for (const f of [
        this.processing.processor,
        ...Object.values(this.processing.sagaTasks),
        this.archiveIndexer.fn,
      ]) {
        f.fn.node.addDependency(this.state);
      }
    }

    this.saga = new Saga(this, 'Saga', {
      stateMachineName: names.stateMachineName,
      functions: sagaFunctions(this.processing.sagaTasks),
      key: key.key,
      logRetention,
      removalPolicy,
    });

    const withGlobalEndpoint = isPrimary && props.secondaryRegion !== undefined;
    this.observability = new Observability(this, 'Observability', {
      stage,
      key: key.key,
      topicName: names.alarmTopicName,
      dashboardName: isPrimary ? names.dashboardName : `${names.dashboardName}-${region}`,
      capacityPerMinute: capacity.valueAsNumber,
      plannedCapacityPerMinute: props.plannedCapacityPerMinute,
      stateMachine: this.saga.stateMachine,
      sagaLogGroup: this.saga.logGroup,
      withGlobalEndpoint,
      processingEnabled: props.writeRegion === region,
      removalPolicy,
    });

    if (withGlobalEndpoint && props.secondaryRegion) {
      const healthAlarm = this.observability.alarms.get('endpoint-health');
      if (!healthAlarm) throw new Error('the endpoint-health alarm is missing from alarmsFor()');
      this.globalEndpoint = new GlobalEndpoint(this, 'GlobalEndpoint', {
        endpointName: names.endpointName,
        primaryBus: this.messaging.bus,
        primaryKey: key.key,
        secondaryRegion: props.secondaryRegion,
        secondaryBusArn: this.formatArn({
          service: 'events',
          region: props.secondaryRegion,
          resource: 'event-bus',
          resourceName: names.busName,
        }),
        keyAliasName: key.aliasName,
        healthAlarm,
        heartbeatDlq: this.messaging.busDlq,
        key: key.key,
        heartbeatQueueName: `${names.prefix}-heartbeat`,
      });
      // The seed's CreateSecondaryResources: the endpoint and its health check exist only when
      // this template is deployed in the primary region (guards a mis-targeted deploy).
      const inPrimaryRegion = new CfnCondition(this, 'CreateSecondaryResources', {
        expression: Fn.conditionEquals(Aws.REGION, props.primaryRegion),
      });
      for (const c of [this.globalEndpoint.endpoint, this.globalEndpoint.healthCheck])
        (c as CfnResource).cfnOptions.condition = inPrimaryRegion;
      // ReplicationLatency's EndpointId is the endpoint's id: the alarm follows the endpoint.
      this.observability.watchGlobalEndpoint(this.globalEndpoint.endpoint, inPrimaryRegion);
      new CfnOutput(this, 'GlobalEndpointUrl', {
        value: this.globalEndpoint.endpoint.attrEndpointUrl,
        condition: inPrimaryRegion,
        description: 'Producers PutEvents here (EndpointId)',
      });
      new CfnOutput(this, StackOutputKeys.GlobalEndpointName, {
        value: names.endpointName,
        condition: inPrimaryRegion,
        description: 'Global endpoint (DescribeEndpoint)',
      });
      new CfnOutput(this, StackOutputKeys.GlobalEndpointId, {
        value: this.globalEndpoint.endpoint.attrEndpointId,
        condition: inPrimaryRegion,
        description: 'Global endpoint id (metrics)',
      });
      new CfnOutput(this, 'EndpointReplicationRoleArn', { value: this.globalEndpoint.replicationRole.roleArn });
    }

    if (isPrimary && this.state) {
      const regions = [props.primaryRegion, ...(props.secondaryRegion ? [props.secondaryRegion] : [])];
      const arn = (
        service: string,
        r: string,
        resource: string,
        resourceName?: string,
        sep = ArnFormat.SLASH_RESOURCE_NAME,
      ) => this.formatArn({ service, region: r, resource, resourceName, arnFormat: sep });
      const arns: PlatformArns = {
        regions,
        sourceQueueArns: regions.flatMap((r) =>
          shardNames.map((s) => arn('sqs', r, s.source, undefined, ArnFormat.NO_RESOURCE_NAME)),
        ),
        dlqArns: regions.flatMap((r) =>
          shardNames.map((s) => arn('sqs', r, s.dlq, undefined, ArnFormat.NO_RESOURCE_NAME)),
        ),
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
        sagaTableArns: regions.map((r) => tableArn(tableNames.saga, r)),
        auditTableArns: regions.map((r) => tableArn(tableNames.audit, r)),
        ledgerTableArns: regions.map((r) => tableArn(tableNames.ledger, r)),
        idempotencyTableArns: regions.map((r) => tableArn(tableNames.idempotency, r)),
        archiveIndexTableArns: regions.map((r) => tableArn(tableNames.archiveIndex, r)),
        // The global endpoint lives in the primary region (production only).
        endpointArns: props.secondaryRegion ? [arn('events', props.primaryRegion, 'endpoint', names.endpointName)] : [],
        keyArns: [key.key.keyArn, ...regions.filter((r) => r !== region).map((r) => arn('kms', r, 'key', '*'))],
        kmsAliasName: key.aliasName,
      };
      this.operatorRoles = new OperatorRoles(this, 'OperatorRoles', {
        prefix: names.prefix,
        arns,
        auditTableArns: arns.auditTableArns,
        consoleRuntimePrincipal:
          props.consoleRuntimePrincipal ??
          new PrincipalWithConditions(new ServicePrincipal('ecs-tasks.amazonaws.com'), {
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          }),
      });
    }

    this.addOutputs(stage, shardNames, props);
  }

  /**
   * The outputs. `StackOutputKeys` (infra/platform/outputs.ts) are what the console's aws
   * adapter reads (configFromOutputs): every stack emits the required ones, and the optional ones
   * where the resource exists in that region. The global tables and IAM roles are created by the
   * primary stack but are addressable from both regions (a table replica has the table's name,
   * IAM is global), so the secondary stack emits their names/ARNs too. The other outputs are for
   * operators and scripts.
   */
  private addOutputs(
    stage: DeployedStage,
    shards: { id: string; source: string; dlq: string }[],
    props: PlatformStackProps,
  ): void {
    const out = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description, exportName: `${this.stackName}-${id}` });
    const names = namesFor(stage);
    const k = StackOutputKeys;

    // ---- the aws adapter's outputs
    out(k.PrimaryRegion, props.primaryRegion, "Region of the global endpoint's primary");
    if (props.secondaryRegion) out(k.SecondaryRegion, props.secondaryRegion, 'Failover region');
    out(k.BusName, this.messaging.bus.eventBusName, 'Bus the producers and replays use');
    out(k.BusArn, this.messaging.bus.eventBusArn, 'Bus ARN');
    out(
      k.ArchiveName,
      this.messaging.archive.archiveName,
      `Archive of the transaction sources (${ARCHIVE_RETENTION_DAYS} days)`,
    );
    out(k.ArchiveArn, this.messaging.archive.archiveArn, 'Archive ARN');
    out(
      k.ReplayRuleArns,
      Fn.join(
        ',',
        this.messaging.shards.map((s) => s.rule.ruleArn),
      ),
      'Rules a replay is delivered to (StartReplay FilterArns), comma-separated',
    );
    out(k.StateMachineArn, this.saga.stateMachine.stateMachineArn, 'Payment saga (Standard)');
    const table = (t: 'idempotency' | 'saga' | 'ledger' | 'archiveIndex', name: string) =>
      this.state ? this.state[t].tableName : name;
    out(k.IdempotencyTableName, table('idempotency', names.idempotencyTable), 'Idempotency records (TTL expiryTime)');
    out(k.SagaTableName, table('saga', names.sagaTable), 'Saga state and summary items');
    out(k.LedgerTableName, table('ledger', names.ledgerTable), 'Accounts, holds, journal, settlements');
    out(
      k.ArchiveIndexTableName,
      table('archiveIndex', names.archiveIndexTable),
      'Index of archived events (replay previews)',
    );
    const pairIds = shardQueuePairIds(shards, names.prefix);
    out(k.QueuePairIds, pairIds.join(','), 'Queue pair ids (one per processing shard), comma-separated');
    this.messaging.shards.forEach((s, i) => {
      const keys = queuePairOutputKeys(pairIds[i]!);
      out(keys.sourceUrl, s.queue.queueUrl, `${s.names.source} URL`);
      out(keys.sourceArn, s.queue.queueArn, `${s.names.source} ARN`);
      out(keys.dlqUrl, s.dlq.queueUrl, `${s.names.dlq} URL`);
      out(keys.dlqArn, s.dlq.queueArn, `${s.names.dlq} ARN`);
    });
    for (const role of roles) {
      const r = this.operatorRoles?.roles[role];
      const roleArn = r
        ? r.roleArn
        : this.formatArn({
            service: 'iam',
            region: '',
            resource: 'role',
            resourceName: `${names.prefix}-console-${role}`,
          });
      out(operatorRoleOutputKey(role), roleArn, `Role the console assumes for a ${role}`);
    }
    // GlobalEndpointName/GlobalEndpointId: in the constructor, with the endpoint's condition.

    // ---- operators and scripts
    out('Stage', stage, 'Stage of this stack');
    out('BusDlqUrl', this.messaging.busDlq.queueUrl, 'Bus dead-letter queue URL');
    out('BusDlqArn', this.messaging.busDlq.queueArn, 'Bus dead-letter queue ARN');
    out('ProcessorFunctionName', this.processing.processor.fn.functionName, 'Processor function');
    out('AlarmTopicArn', this.observability.topic.topicArn, 'SNS topic of the alarms');
    out('DashboardName', this.observability.dashboard.dashboardName, 'Operations dashboard');
    out('AlarmPrefix', `${names.prefix}-`, 'Prefix of every alarm name');
    out(
      'SizedForEventsPerMinute',
      String(this.plan.eventsPerMinute),
      'Capacity the mappings and concurrency were sized for',
    );
    if (this.state) out('AuditTableName', this.state.audit.tableName, 'Audit and approval records');
    if (this.operatorRoles)
      out('ConsoleRuntimeRoleArn', this.operatorRoles.consoleRuntimeRole.roleArn, 'Role the console runs as');
  }
}
