/**
 * The platform description: resource names, queue pairs, archives, metrics and alarms.
 * One source for the CDK stacks (infra/lib), the embedded platform (server/platform/local)
 * and the console. In AWS mode the console reads the deployed names from the stack outputs,
 * which are produced from this same description. Pure: no AWS, no Node APIs.
 */
export const stages = ['local', 'staging', 'production'] as const;
export type Stage = (typeof stages)[number];

export const primaryRegion = 'us-east-1';
export const secondaryRegion = 'eu-west-1';

/** Event sources the bus accepts and the archive keeps. */
export const eventSources = ['transaction.processing', 'payment.validation'] as const;
export const detailTypes = ['TransactionSubmitted', 'PaymentValidated'] as const;

export const ARCHIVE_RETENTION_DAYS = 30;
export const MAX_RECEIVE_COUNT = 3;
/** Idempotency records expire after this; replays of older windows are refused. */
export const IDEMPOTENCY_TTL_HOURS = 48;
export const DEFAULT_EVENT_PROCESSING_CAPACITY = 100_000; // events/min

export type Comparison =
  'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';

/**
 * Dimension values are resource NAMES; where CloudWatch wants an ARN or id (StateMachineArn,
 * EndpointId) the CDK stacks and the aws adapter substitute the deployed value.
 */
export interface MetricDefinition {
  /** Stable id used by the port's getMetricSeries and the embedded metrics table. */
  id: string;
  label: string;
  unit: 'Count' | 'Seconds' | 'Milliseconds' | 'Percent';
  /** The CloudWatch metric this corresponds to in AWS. */
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat: string;
}

export interface AlarmDefinition {
  /** Suffix; the full name is `${prefix}-${suffix}` (alarmName()). */
  suffix: string;
  description: string;
  metricId: string;
  threshold: number;
  comparison: Comparison;
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: 'missing' | 'notBreaching' | 'breaching' | 'ignore';
  resource: { kind: 'queue' | 'function' | 'saga' | 'bus' | 'endpoint' | 'platform'; id: string };
  /** Only where the stage has a global endpoint (production). */
  globalOnly?: boolean;
}

export interface QueuePairDefinition {
  id: string;
  description: string;
}

export interface PlatformNames {
  prefix: string;
  busName: string;
  busDlqName: string;
  archiveName: string;
  stateMachineName: string;
  processorFunctionName: string;
  queues: { id: string; source: string; dlq: string }[];
  idempotencyTable: string;
  sagaTable: string;
  ledgerTable: string;
  /** Time-bucketed index of archived events: EventBridge has no API that reads an archive (replay previews). */
  archiveIndexTable: string;
  auditTable: string;
  alarmTopicName: string;
  dashboardName: string;
  endpointName: string;
}

export const queuePairs: QueuePairDefinition[] = [
  { id: 'processing', description: 'Transactions routed from the bus to the processor' },
];

export function namesFor(stage: Stage): PlatformNames {
  const prefix = `ledgerline-${stage}`;
  return {
    prefix,
    busName: `${prefix}-bus`,
    busDlqName: `${prefix}-bus-dlq`,
    archiveName: `${prefix}-archive`,
    stateMachineName: `${prefix}-payment-saga`,
    processorFunctionName: `${prefix}-processor`,
    queues: queuePairs.map((q) => ({ id: q.id, source: `${prefix}-${q.id}`, dlq: `${prefix}-${q.id}-dlq` })),
    idempotencyTable: `${prefix}-idempotency`,
    sagaTable: `${prefix}-saga-state`,
    ledgerTable: `${prefix}-ledger`,
    archiveIndexTable: `${prefix}-archive-index`,
    auditTable: `${prefix}-audit`,
    alarmTopicName: `${prefix}-alarms`,
    dashboardName: `${prefix}-operations`,
    endpointName: `${prefix}-global`,
  };
}

export function metricsFor(stage: Stage): MetricDefinition[] {
  const n = namesFor(stage);
  const queueMetrics = n.queues.flatMap(
    (q) =>
      [
        {
          id: `queue.${q.id}.visible`,
          label: `${q.id} visible`,
          unit: 'Count',
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensions: { QueueName: q.source },
          stat: 'Maximum',
        },
        {
          id: `queue.${q.id}.inflight`,
          label: `${q.id} in flight`,
          unit: 'Count',
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesNotVisible',
          dimensions: { QueueName: q.source },
          stat: 'Maximum',
        },
        {
          id: `queue.${q.id}.oldest_age`,
          label: `${q.id} oldest age`,
          unit: 'Seconds',
          namespace: 'AWS/SQS',
          metricName: 'ApproximateAgeOfOldestMessage',
          dimensions: { QueueName: q.source },
          stat: 'Maximum',
        },
        {
          id: `dlq.${q.id}.visible`,
          label: `${q.id} DLQ depth`,
          unit: 'Count',
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensions: { QueueName: q.dlq },
          stat: 'Maximum',
        },
        {
          id: `dlq.${q.id}.oldest_age`,
          label: `${q.id} DLQ oldest age`,
          unit: 'Seconds',
          namespace: 'AWS/SQS',
          metricName: 'ApproximateAgeOfOldestMessage',
          dimensions: { QueueName: q.dlq },
          stat: 'Maximum',
        },
      ] satisfies MetricDefinition[],
  );
  return [
    {
      id: 'events.in',
      label: 'Events in',
      unit: 'Count',
      namespace: 'AWS/Events',
      metricName: 'MatchedEvents',
      dimensions: { EventBusName: n.busName },
      stat: 'Sum',
    },
    {
      id: 'events.rejected',
      label: 'Events rejected',
      unit: 'Count',
      namespace: 'Ledgerline',
      metricName: 'EventsRejected',
      dimensions: { Stage: stage },
      stat: 'Sum',
    },
    {
      id: 'bus.dlq.visible',
      label: 'Bus DLQ depth',
      unit: 'Count',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: n.busDlqName },
      stat: 'Maximum',
    },
    {
      id: 'processor.processed',
      label: 'Processed',
      unit: 'Count',
      namespace: 'Ledgerline',
      metricName: 'TransactionsProcessed',
      dimensions: { Stage: stage },
      stat: 'Sum',
    },
    {
      id: 'processor.duplicates',
      label: 'Duplicates suppressed',
      unit: 'Count',
      namespace: 'Ledgerline',
      metricName: 'DuplicatesSuppressed',
      dimensions: { Stage: stage },
      stat: 'Sum',
    },
    {
      id: 'processor.errors',
      label: 'Processor errors',
      unit: 'Count',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: n.processorFunctionName },
      stat: 'Sum',
    },
    {
      id: 'processor.throttles',
      label: 'Processor throttles',
      unit: 'Count',
      namespace: 'AWS/Lambda',
      metricName: 'Throttles',
      dimensions: { FunctionName: n.processorFunctionName },
      stat: 'Sum',
    },
    {
      id: 'processor.duration.p50',
      label: 'Processing time p50',
      unit: 'Milliseconds',
      namespace: 'AWS/Lambda',
      metricName: 'Duration',
      dimensions: { FunctionName: n.processorFunctionName },
      stat: 'p50',
    },
    {
      id: 'processor.duration.p99',
      label: 'Processing time p99',
      unit: 'Milliseconds',
      namespace: 'AWS/Lambda',
      metricName: 'Duration',
      dimensions: { FunctionName: n.processorFunctionName },
      stat: 'p99',
    },
    {
      id: 'saga.started',
      label: 'Sagas started',
      unit: 'Count',
      namespace: 'AWS/States',
      metricName: 'ExecutionsStarted',
      dimensions: { StateMachineArn: n.stateMachineName },
      stat: 'Sum',
    },
    {
      id: 'saga.succeeded',
      label: 'Sagas succeeded',
      unit: 'Count',
      namespace: 'AWS/States',
      metricName: 'ExecutionsSucceeded',
      dimensions: { StateMachineArn: n.stateMachineName },
      stat: 'Sum',
    },
    // Not AWS/States ExecutionsFailed: that also counts sagas that ended Compensated (a Fail state).
    // A log metric filter on the state machine's log group counts only compensation failures.
    {
      id: 'saga.failed',
      label: 'Sagas failed',
      unit: 'Count',
      namespace: 'Ledgerline',
      metricName: 'SagaExecutionsFailed',
      dimensions: {},
      stat: 'Sum',
    },
    {
      id: 'saga.compensated',
      label: 'Sagas compensated',
      unit: 'Count',
      namespace: 'Ledgerline',
      metricName: 'SagasCompensated',
      dimensions: { Stage: stage },
      stat: 'Sum',
    },
    {
      id: 'saga.compensation_rate',
      label: 'Compensation rate',
      unit: 'Percent',
      namespace: 'Ledgerline',
      metricName: 'CompensationRate',
      dimensions: { Stage: stage },
      stat: 'Average',
    },
    {
      id: 'downstream.failure_rate',
      label: 'Downstream failure rate',
      unit: 'Percent',
      namespace: 'Ledgerline',
      metricName: 'DownstreamFailureRate',
      dimensions: { Stage: stage },
      stat: 'Average',
    },
    {
      id: 'replication.latency',
      label: 'Replication latency',
      unit: 'Seconds',
      namespace: 'AWS/Events',
      metricName: 'ReplicationLatency',
      dimensions: { EndpointId: n.endpointName },
      stat: 'Maximum',
    },
    ...queueMetrics,
  ];
}

export function alarmsFor(stage: Stage, capacityPerMinute = DEFAULT_EVENT_PROCESSING_CAPACITY): AlarmDefinition[] {
  const n = namesFor(stage);
  const perQueue = n.queues.flatMap((q): AlarmDefinition[] => [
    {
      suffix: `${q.id}-dlq-depth`,
      description: `Messages in the ${q.id} DLQ: processing failed 3 times`,
      metricId: `dlq.${q.id}.visible`,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      periodSeconds: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      resource: { kind: 'queue', id: q.id },
    },
    {
      suffix: `${q.id}-oldest-message-age`,
      description: `Oldest message in ${q.id} waits longer than 5 minutes`,
      metricId: `queue.${q.id}.oldest_age`,
      threshold: 300,
      comparison: 'GreaterThanThreshold',
      periodSeconds: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
      resource: { kind: 'queue', id: q.id },
    },
  ]);
  return [
    ...perQueue,
    {
      suffix: 'bus-dlq-depth',
      description: 'Events the bus could not deliver to a target',
      metricId: 'bus.dlq.visible',
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      periodSeconds: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      resource: { kind: 'bus', id: n.busName },
    },
    {
      suffix: 'high-event-volume',
      description: 'Event volume above 80% of the provisioned capacity',
      metricId: 'events.in',
      threshold: Math.round(capacityPerMinute * 0.8),
      comparison: 'GreaterThanThreshold',
      periodSeconds: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: 'notBreaching',
      resource: { kind: 'bus', id: n.busName },
    },
    {
      suffix: 'processor-errors',
      description: 'The processor function fails invocations',
      metricId: 'processor.errors',
      threshold: 5,
      comparison: 'GreaterThanThreshold',
      periodSeconds: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
      resource: { kind: 'function', id: n.processorFunctionName },
    },
    {
      suffix: 'processor-throttles',
      description: 'The processor function is throttled',
      metricId: 'processor.throttles',
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      periodSeconds: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
      resource: { kind: 'function', id: n.processorFunctionName },
    },
    {
      suffix: 'saga-failed-executions',
      description: 'Saga executions failed (compensation could not complete)',
      metricId: 'saga.failed',
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      periodSeconds: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      resource: { kind: 'saga', id: n.stateMachineName },
    },
    {
      suffix: 'saga-compensation-rate',
      description: 'More than 5% of sagas are compensated',
      metricId: 'saga.compensation_rate',
      threshold: 5,
      comparison: 'GreaterThanThreshold',
      periodSeconds: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
      resource: { kind: 'saga', id: n.stateMachineName },
    },
    {
      suffix: 'downstream-failures',
      description: 'Downstream (settlement) failure rate above 20%: the circuit breaker opens',
      metricId: 'downstream.failure_rate',
      threshold: 20,
      comparison: 'GreaterThanThreshold',
      periodSeconds: 60,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
      resource: { kind: 'platform', id: 'downstream' },
    },
    {
      suffix: 'replication-latency',
      description: 'Cross-region event replication slower than 60 s',
      metricId: 'replication.latency',
      threshold: 60,
      comparison: 'GreaterThanThreshold',
      periodSeconds: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: 'notBreaching',
      resource: { kind: 'endpoint', id: n.endpointName },
      globalOnly: true,
    },
    {
      suffix: 'endpoint-health',
      description: 'Primary region health for the global endpoint failover',
      metricId: 'events.in',
      threshold: 1,
      comparison: 'LessThanThreshold',
      periodSeconds: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: 'breaching',
      resource: { kind: 'endpoint', id: n.endpointName },
      globalOnly: true,
    },
  ];
}

export function alarmName(stage: Stage, suffix: string): string {
  return `${namesFor(stage).prefix}-${suffix}`;
}
