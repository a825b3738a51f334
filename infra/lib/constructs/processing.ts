/**
 * The processing functions: the processor on the SQS shards (partial batch responses,
 * Powertools idempotency on the transaction id), the saga task functions (one per step and
 * compensation, running infra/runtime/saga-steps.ts), the visibility-timeout adjuster and the
 * circuit breaker. Every function is a PlatformFunction (own role, log group, CMK, X-Ray,
 * arm64, newest Node.js runtime, reserved concurrency). The failure index (infra/platform/layout.ts):
 * one regional table per stack, on the stage CMK, that the processor writes when a message fails
 * for the last time, and the console reads for dead-letter triage.
 */
import { ArnFormat, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecurityGroup, IVpc } from 'aws-cdk-lib/aws-ec2';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { IDEMPOTENCY_TTL_HOURS, IN_FLIGHT_METRIC_ID, metricsFor, type Stage } from '../../platform/description';
import { FAILURE_INDEX_GSI, failureIndexTableName } from '../../platform/layout';
import { sagaDefinition } from '../../saga/definition';
import type { CapacityPlan } from '../capacity';
import { acknowledge, renderForNag } from '../nag';
import { limitRetention } from './messaging';
import { lambdaEntry, PlatformFunction } from './platform-function';
import { sagaTaskNames, type SagaTaskName } from './saga-asl';

/**
 * Retention of the processing queues outside the write region: 2 hours below the idempotency
 * TTL, so a replicated message never outlives the record that makes its transaction a duplicate.
 */
export const standbySourceRetention = Duration.hours(IDEMPOTENCY_TTL_HOURS - 2);

export interface TableRef {
  name: string;
  /** ARN of the table in this stack's region (the global table's local replica). */
  arn: string;
}

export interface ProcessingProps {
  stage: Stage;
  prefix: string;
  processorFunctionName: string;
  /** Name of the functions' DLQ (namesFor: the alarm and the console find it by this name). */
  functionsDlqName: string;
  plan: CapacityPlan;
  /** The processing queue shards. */
  queues: Queue[];
  /** The bus DLQ: dead letters of the scheduled control rules. */
  controlDlq: IQueue;
  /** Whether the processor's mappings are enabled (single write region). */
  processingEnabled: boolean;
  idempotencyTable: TableRef;
  sagaTable: TableRef;
  ledgerTable: TableRef;
  /** ARN of the saga state machine (name-derived: the state machine depends on the tasks). */
  stateMachineArn: string;
  /** ARN pattern of the state machine's executions (`…:execution:<name>:*`). */
  executionArnPattern: string;
  /** Name of the downstream-failures alarm the circuit breaker follows. */
  downstreamAlarmName: string;
  /** Bus the saga's downstream requests are published to. */
  busArn: string;
  busName: string;
  key: IKey;
  vpc: IVpc;
  securityGroup: ISecurityGroup;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

export class Processing extends Construct {
  readonly processor: PlatformFunction;
  readonly sagaTasks: Record<SagaTaskName, PlatformFunction>;
  readonly adjuster: PlatformFunction;
  readonly breaker: PlatformFunction;
  readonly eventSources: SqsEventSource[];
  /** Failed asynchronous invocations of the stack's functions (scheduled control functions). */
  readonly functionsDlq: Queue;
  /** Dead letters' failure classes (infra/platform/layout.ts), written by the processor. */
  readonly failureIndex: Table;

  constructor(scope: Construct, id: string, props: ProcessingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { plan } = props;
    this.functionsDlq = new Queue(this, 'FunctionsDlq', {
      queueName: props.functionsDlqName,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    acknowledge(
      this.functionsDlq,
      'Serverless-SQSRedrivePolicy',
      "This queue IS a dead-letter queue (of the functions' asynchronous invocations); it has no further DLQ.",
    );
    const common = {
      deadLetterQueue: this.functionsDlq,
      key: props.key,
      vpc: props.vpc,
      securityGroup: props.securityGroup,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    };
    const useKey = new PolicyStatement({
      sid: 'UseStageKey',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [props.key.keyArn],
    });
    // Metrics: Powertools writes CloudWatch embedded-metric-format logs (no PutMetricData).
    // X-Ray: Tracing.ACTIVE adds xray:PutTraceSegments/PutTelemetryRecords to each role.

    // ---------------------------------------------------------------- failure index
    // Regional like the DLQs it describes; entries expire after FAILURE_INDEX_TTL_DAYS (beyond
    // the DLQ's 14-day retention).
    // A regional table (AWS::DynamoDB::Table), not a global one: each region indexes its own DLQs.
    this.failureIndex = new Table(this, 'FailureIndex', {
      tableName: failureIndexTableName(props.prefix),
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
      deletionProtection: props.stage === 'production',
      removalPolicy: props.removalPolicy,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiryTime',
    });
    acknowledge(
      this.failureIndex,
      'NIST.800.53.R5-DynamoDBInBackupPlan',
      'The failure index describes dead letters that are themselves kept in the DLQ; its entries live 15 days (TTL) and PITR (35 days) restores it: a backup plan would keep nothing the DLQ and PITR do not.',
    );
    this.failureIndex.addGlobalSecondaryIndex({
      indexName: FAILURE_INDEX_GSI.byClass,
      partitionKey: { name: 'classKey', type: AttributeType.STRING },
      sortKey: { name: 'classSk', type: AttributeType.STRING },
    });
    this.failureIndex.addGlobalSecondaryIndex({
      indexName: FAILURE_INDEX_GSI.byTransaction,
      partitionKey: { name: 'txKey', type: AttributeType.STRING },
      sortKey: { name: 'at', type: AttributeType.STRING },
    });

    // ---------------------------------------------------------------- processor
    this.processor = new PlatformFunction(this, 'Processor', {
      ...common,
      functionName: props.processorFunctionName,
      description: 'Applies each transaction exactly once (idempotency on the transaction id) and starts its saga',
      entry: lambdaEntry('processor.ts'),
      memorySize: 1024,
      timeout: Duration.seconds(plan.functionTimeoutSeconds),
      reservedConcurrency: plan.reservedConcurrency,
      environment: {
        STAGE: props.stage,
        IDEMPOTENCY_TABLE: props.idempotencyTable.name,
        STATE_MACHINE_ARN: props.stateMachineArn,
        IDEMPOTENCY_TTL_HOURS: String(IDEMPOTENCY_TTL_HOURS),
        FAILURE_INDEX_TABLE: this.failureIndex.tableName,
        QUEUE_NAME_PREFIX: `${props.prefix}-`,
      },
      statements: [
        // The failure index: one conditional put per last failure, one update of its class.
        new PolicyStatement({
          sid: 'FailureIndex',
          actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
          resources: [this.failureIndex.tableArn],
        }),
        new PolicyStatement({
          sid: 'IdempotencyRecords',
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          resources: [props.idempotencyTable.arn],
        }),
        new PolicyStatement({
          sid: 'StartSaga',
          actions: ['states:StartExecution'],
          resources: [props.stateMachineArn],
        }),
        // ExecutionAlreadyExists for a closed execution says nothing about its input: the
        // processor reads the execution to tell a redelivery of the same transaction (applied)
        // from another transaction under the same id (poison).
        new PolicyStatement({
          sid: 'CheckStartedSaga',
          actions: ['states:DescribeExecution'],
          resources: [props.executionArnPattern],
        }),
        useKey,
      ],
    });
    acknowledge(
      this.processor.role,
      `AwsSolutions-IAM5[Resource::${renderForNag(this.processor.role, props.executionArnPattern)}]`,
      "Execution names are per transaction, so no fixed ARN exists; the pattern is scoped to this stage's saga state machine's executions, for DescribeExecution only.",
    );
    this.eventSources = props.queues.map((queue) => {
      const source = new SqsEventSource(queue, {
        batchSize: plan.batchSize,
        maxBatchingWindow:
          plan.maxBatchingWindowSeconds > 0 ? Duration.seconds(plan.maxBatchingWindowSeconds) : undefined,
        reportBatchItemFailures: true,
        maxConcurrency: plan.maxConcurrencyPerShard,
        enabled: props.processingEnabled,
      });
      this.processor.fn.addEventSource(source);
      return source;
    });
    if (!props.processingEnabled) {
      // Outside the write region nothing drains these queues (the global endpoint replicates
      // every event here). A message must expire before the idempotency record of its
      // transaction does: on promotion the backlog then holds only transactions whose records
      // (written in the old write region, replicated here) still suppress a second run.
      for (const queue of props.queues) limitRetention(queue, standbySourceRetention);
    }
    for (const mapping of this.processor.fn.node.children.filter((c) => c instanceof EventSourceMapping)) {
      acknowledge(
        mapping,
        'Serverless-LambdaEventSourceMappingDestination',
        "SQS event source mappings do not support an on-failure destination; failed messages go to the queue's DLQ through its redrive policy (maxReceiveCount 3).",
      );
    }

    // ---------------------------------------------------------------- saga tasks
    const stepTimeouts = new Map<string, number>(sagaDefinition.steps.map((s) => [s.name, s.timeoutSeconds]));
    const tasks = {} as Record<SagaTaskName, PlatformFunction>;
    for (const name of sagaTaskNames()) {
      const isStep = stepTimeouts.has(name);
      const kebab = name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
      tasks[name] = new PlatformFunction(this, `Task${name}`, {
        ...common,
        functionName: `${props.prefix}-saga-${kebab}`,
        description: `Saga ${isStep ? 'step' : 'compensation'} ${name} (infra/runtime/saga-steps.ts)`,
        entry: lambdaEntry('saga-task.ts'),
        memorySize: 512,
        // The function's timeout; the state machine waits longer (stateTimeoutSeconds, saga-asl.ts).
        timeout: Duration.seconds(isStep ? (stepTimeouts.get(name) ?? 10) : sagaDefinition.compensationTimeoutSeconds),
        reservedConcurrency: isStep ? plan.sagaStepReservedConcurrency : plan.compensationReservedConcurrency,
        environment: {
          STAGE: props.stage,
          SAGA_TASK: name,
          SAGA_TABLE: props.sagaTable.name,
          LEDGER_TABLE: props.ledgerTable.name,
          BUS_NAME: props.busName,
        },
        statements: [
          new PolicyStatement({
            sid: 'Ledger',
            actions: [
              'dynamodb:GetItem',
              'dynamodb:PutItem',
              'dynamodb:UpdateItem',
              'dynamodb:ConditionCheckItem',
              'dynamodb:Query',
            ],
            resources: [props.ledgerTable.arn],
          }),
          new PolicyStatement({
            sid: 'SagaState',
            actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
            resources: [props.sagaTable.arn],
          }),
          new PolicyStatement({ sid: 'DownstreamRequests', actions: ['events:PutEvents'], resources: [props.busArn] }),
          useKey,
        ],
      });
    }
    this.sagaTasks = tasks;

    // ---------------------------------------------------------------- visibility-timeout adjuster
    // Queue-level, not per message: the event source mapping receives on behalf of the
    // processor and every receive takes the queue's VisibilityTimeout; per-message
    // ChangeMessageVisibility would need the processor to heartbeat each of up to 100k
    // messages/min (one API call each, racing the mapping's own delete) and could only
    // stretch a message already at risk. The p99 of the processing time moves slowly, so one
    // SetQueueAttributes per queue every 5 minutes tracks it at a negligible cost, and the
    // policy never goes below 6 × the function timeout + batching window (AWS guidance).
    // It observes the messages' in-flight time (first receive → end of the invocation, emitted by
    // the processor), not the Lambda Duration: the Duration never exceeds the function timeout,
    // so 6 × its p99 could never leave the floor, whereas a batch the mapping holds while its
    // invokes are throttled stays in flight longer than that (the cause of duplicate deliveries).
    const inFlight = metricsFor(props.stage).find((m) => m.id === IN_FLIGHT_METRIC_ID);
    if (!inFlight) throw new Error(`metric ${IN_FLIGHT_METRIC_ID} is missing from metricsFor('${props.stage}')`);
    this.adjuster = new PlatformFunction(this, 'VisibilityTimeoutAdjuster', {
      ...common,
      functionName: `${props.prefix}-visibility-adjuster`,
      description:
        "Sets the processing queues' visibility timeout from the observed p99 of the messages' in-flight time",
      entry: lambdaEntry('visibility-timeout-adjuster.ts'),
      memorySize: 256,
      timeout: Duration.seconds(30),
      reservedConcurrency: 1,
      environment: {
        STAGE: props.stage,
        QUEUE_URLS: stack.toJsonString(props.queues.map((q) => q.queueUrl)),
        IN_FLIGHT_METRIC: JSON.stringify({
          namespace: inFlight.namespace,
          metricName: inFlight.metricName,
          dimensions: inFlight.dimensions,
        }),
        FUNCTION_TIMEOUT_SECONDS: String(plan.functionTimeoutSeconds),
        BATCH_WINDOW_SECONDS: String(plan.maxBatchingWindowSeconds),
      },
      statements: [
        new PolicyStatement({ sid: 'ReadProcessingTime', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
        new PolicyStatement({
          sid: 'SetVisibilityTimeout',
          actions: ['sqs:SetQueueAttributes', 'sqs:GetQueueAttributes'],
          resources: props.queues.map((q) => q.queueArn),
        }),
      ],
    });
    new Rule(this, 'AdjusterSchedule', {
      description: 'Runs the visibility-timeout adjuster every 5 minutes',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaFunction(this.adjuster.fn, { deadLetterQueue: props.controlDlq, retryAttempts: 2 })],
    });

    // ---------------------------------------------------------------- circuit breaker
    const mappingArns = this.eventSources.map((s) => s.eventSourceMappingArn);
    this.breaker = new PlatformFunction(this, 'CircuitBreaker', {
      ...common,
      functionName: `${props.prefix}-circuit-breaker`,
      description: 'Opens (disables the processor mappings) when the downstream alarm fires, probes half-open, closes',
      entry: lambdaEntry('circuit-breaker.ts'),
      memorySize: 256,
      timeout: Duration.seconds(30),
      reservedConcurrency: 1,
      environment: {
        STAGE: props.stage,
        MAPPING_IDS: stack.toJsonString(this.eventSources.map((s) => s.eventSourceMappingId)),
        ALARM_NAME: props.downstreamAlarmName,
        MAX_CONCURRENCY: String(plan.maxConcurrencyPerShard),
        PROBE_CONCURRENCY: '2',
        OPEN_SECONDS: '300',
        HALF_OPEN_SECONDS: '300',
        PROCESSING_ENABLED: String(props.processingEnabled),
      },
      statements: [
        new PolicyStatement({
          sid: 'ControlMappings',
          actions: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
          resources: mappingArns,
        }),
        new PolicyStatement({
          sid: 'ReadDownstreamAlarm',
          actions: ['cloudwatch:DescribeAlarms'],
          resources: [
            stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: props.downstreamAlarmName,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      ],
    });
    new Rule(this, 'BreakerOnAlarm', {
      description: 'Runs the circuit breaker when the downstream-failures alarm changes state',
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        detail: { alarmName: [props.downstreamAlarmName] },
      },
      targets: [new LambdaFunction(this.breaker.fn, { deadLetterQueue: props.controlDlq, retryAttempts: 2 })],
    });
    new Rule(this, 'BreakerProbe', {
      description: 'Advances the circuit breaker (open -> half-open probe -> closed) every minute',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.breaker.fn, { deadLetterQueue: props.controlDlq, retryAttempts: 2 })],
    });

    for (const f of [this.processor, ...Object.values(tasks), this.adjuster, this.breaker]) {
      acknowledge(
        f.role,
        'AwsSolutions-IAM5[Resource::*]',
        'Lambda VPC ENI actions (ec2:*NetworkInterface*), X-Ray PutTraceSegments/PutTelemetryRecords and CloudWatch GetMetricData (the adjuster reads the p99) have no resource-level permissions.',
      );
    }
  }
}
