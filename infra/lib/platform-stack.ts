/**
 * One stack per stage and region. Staging: us-east-1 only. Production: the primary stack in
 * us-east-1 (global tables with their eu-west-1 replicas, the global endpoint, the console's
 * IAM roles) and a secondary stack in eu-west-1 (key, network, bus, archive, queues,
 * functions, saga, alarms), created only for production — decided at synth time, because a
 * CloudFormation Condition cannot create resources in another region.
 */
import { CfnParameter, Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
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
import { planCapacity, surfaceCapacityPlan, type CapacityPlan } from './capacity';
import { ArchiveIndexer } from './constructs/archive-indexer';
import { E2eStaging } from './constructs/e2e-staging';
import { addFailover } from './constructs/failover';
import type { GlobalEndpoint } from './constructs/global-endpoint';
import { PlatformKey } from './constructs/keys';
import { Messaging } from './constructs/messaging';
import { Network } from './constructs/network';
import { Observability } from './constructs/observability';
import { OperatorRoles } from './constructs/operator-roles';
import { keyAliasArn, platformArns, stateMachineArns, tableArn } from './constructs/platform-arns';
import { addPlatformOutputs } from './constructs/platform-outputs';
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
  readonly key: PlatformKey; // the stage key and network: the console stack beside it uses both
  readonly network: Network;

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
    this.key = key;
    this.network = network;

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
    if (isPrimary) {
      const replicaKeyArns: Record<string, string> = {};
      if (props.secondaryRegion) {
        // Alias ARN of the stage key in the replica region (created by that region's stack, deployed first).
        replicaKeyArns[props.secondaryRegion] = keyAliasArn(this, props.secondaryRegion, names.prefix);
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
    const { stateMachineArn, executionArnPattern } = stateMachineArns(this, names.stateMachineName);

    this.processing = new Processing(this, 'Processing', {
      stage,
      prefix: names.prefix,
      processorFunctionName: names.processorFunctionName,
      functionsDlqName: names.functionsDlqName,
      plan: this.plan,
      queues: this.messaging.shards.map((s) => s.queue),
      controlDlq: this.messaging.busDlq,
      processingEnabled: props.writeRegion === region,
      idempotencyTable: { name: tableNames.idempotency, arn: tableArn(this, tableNames.idempotency) },
      sagaTable: { name: tableNames.saga, arn: tableArn(this, tableNames.saga) },
      ledgerTable: { name: tableNames.ledger, arn: tableArn(this, tableNames.ledger) },
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
      table: { name: tableNames.archiveIndex, arn: tableArn(this, tableNames.archiveIndex) },
      enabled: props.writeRegion === region,
      deadLetterQueue: this.messaging.busDlq,
      functionsDlq: this.processing.functionsDlq,
      key: key.key,
      vpc: network.vpc,
      securityGroup: network.functionsSecurityGroup,
      logRetention,
      removalPolicy,
    });
    if (stage === 'staging') new E2eStaging(this, 'E2eStaging', { stage, platform: this, key: key.key });
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
      this.globalEndpoint = addFailover(this, {
        names,
        primaryRegion: props.primaryRegion,
        secondaryRegion: props.secondaryRegion,
        bus: this.messaging.bus,
        key: key.key,
        keyAliasName: key.aliasName,
        heartbeatDlq: this.messaging.busDlq,
        observability: this.observability,
      });
    }

    if (isPrimary && this.state) {
      const arns = platformArns(this, {
        primaryRegion: props.primaryRegion,
        secondaryRegion: props.secondaryRegion,
        names,
        shards: shardNames,
        tables: tableNames,
        key: key.key,
        keyAliasName: key.aliasName,
      });
      this.operatorRoles = new OperatorRoles(this, 'OperatorRoles', {
        prefix: names.prefix,
        arns,
      });
    }

    addPlatformOutputs(this, {
      stage,
      names,
      primaryRegion: props.primaryRegion,
      secondaryRegion: props.secondaryRegion,
      queuePairIds: shardQueuePairIds(shardNames, names.prefix),
      sizedForEventsPerMinute: this.plan.eventsPerMinute,
      messaging: this.messaging,
      processing: this.processing,
      saga: this.saga,
      observability: this.observability,
      state: this.state,
      operatorRoles: this.operatorRoles,
    });
  }
}
