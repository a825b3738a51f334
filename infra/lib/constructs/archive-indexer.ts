/**
 * The archive indexer (infra/lambda/archive-indexer.ts) and the bus rule that feeds it: the
 * archive's own event pattern (the transaction sources) minus replayed events, so the index
 * holds exactly the events the archive keeps, once each. Runs only in the write region (the
 * index is a global table that denies writes elsewhere, constructs/state.ts); the secondary's
 * copy is kept by replication, like every other table.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc } from 'aws-cdk-lib/aws-ec2';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { lambdaEntry, PlatformFunction } from './platform-function';
import type { TableRef } from './processing';

export interface ArchiveIndexerProps {
  stage: string;
  prefix: string;
  bus: IEventBus;
  /** The archive's event sources (description.eventSources). */
  eventSources: readonly string[];
  archiveRetentionDays: number;
  /**
   * The indexer's reserved concurrency: the capacity plan's `archiveIndexerReservedConcurrency`
   * (capacity.ts: one async invocation per archived event, counted in the plan's total).
   */
  reservedConcurrency: number;
  table: TableRef;
  /** Whether this region writes (single write region): the rule is created disabled elsewhere. */
  enabled: boolean;
  /** Dead letters of the rule's target and of failed asynchronous invocations. */
  deadLetterQueue: IQueue;
  functionsDlq: IQueue;
  key: IKey;
  vpc: IVpc;
  securityGroup: ISecurityGroup;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

export class ArchiveIndexer extends Construct {
  readonly fn: PlatformFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: ArchiveIndexerProps) {
    super(scope, id);
    if (!Number.isInteger(props.reservedConcurrency) || props.reservedConcurrency < 1)
      throw new RangeError(`reservedConcurrency must be a positive integer, got ${props.reservedConcurrency}`);
    this.fn = new PlatformFunction(this, 'Indexer', {
      functionName: `${props.prefix}-archive-indexer`,
      description: 'Indexes every archived transaction event (replay previews: EventBridge cannot read an archive)',
      entry: lambdaEntry('archive-indexer.ts'),
      memorySize: 256,
      timeout: Duration.seconds(10),
      reservedConcurrency: props.reservedConcurrency,
      environment: {
        STAGE: props.stage,
        ARCHIVE_INDEX_TABLE: props.table.name,
        ARCHIVE_RETENTION_DAYS: String(props.archiveRetentionDays),
      },
      statements: [
        new PolicyStatement({ sid: 'WriteArchiveIndex', actions: ['dynamodb:PutItem'], resources: [props.table.arn] }),
        new PolicyStatement({
          sid: 'UseStageKey',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.key.keyArn],
        }),
      ],
      deadLetterQueue: props.functionsDlq,
      key: props.key,
      vpc: props.vpc,
      securityGroup: props.securityGroup,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.rule = new Rule(this, 'Rule', {
      eventBus: props.bus,
      ruleName: `${props.prefix}-archive-index`,
      description: 'Every archived transaction event (not replays) to the archive indexer',
      enabled: props.enabled,
      // The archive's pattern; replayed events carry `replay-name` and are already indexed.
      eventPattern: { source: [...props.eventSources], ...({ 'replay-name': [{ exists: false }] } as object) },
      targets: [
        new LambdaFunction(this.fn.fn, {
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    acknowledge(
      this.fn.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Lambda VPC ENI actions (ec2:*NetworkInterface*) and X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions.',
    );
  }
}
