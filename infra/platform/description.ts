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
  /**
   * Watches the processing backlog, which only the write region consumes: outside it the alarm
   * keeps its state for the console but notifies nobody (its queues only collect replicated
   * events until a promotion).
   */
  writeRegionOnly?: boolean;
}

export interface QueuePairDefinition {
  id: string;
  description: string;
}

export interface PlatformNames {
  prefix: string;
  busName: string;
  busDlqName: string;
  /**
   * Dead letters of the functions' failed asynchronous invocations (archive indexer, circuit
   * breaker, visibility adjuster). Deployed stages only: the embedded platform has no such queue.
   */
  functionsDlqName: string;
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
    functionsDlqName: `${prefix}-functions-dlq`,
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

/**
 * The processor's in-flight metric (EMF, namespace Ledgerline, dimension Stage): per invocation,
 * the longest time a message received for the first time in its batch was in flight, from its
 * first receive (`ApproximateFirstReceiveTimestamp`) to the end of the invocation, seconds. That
 * is what the queue's visibility timeout must cover: the event source mapping holds a polled
 * batch while it waits for a concurrency slot (throttled invokes are retried), then the batch
 * window, then the invocation, so unlike the Lambda Duration it can exceed the function timeout.
 * The visibility-timeout adjuster reads its p99. Deployed stages only: the embedded platform
 * does not record it.
 */
export const IN_FLIGHT_METRIC_ID = 'processor.in_flight.p99';
export const IN_FLIGHT_METRIC_NAME = 'MessageInFlightTime';

/** The CloudWatch metric behind a metric id. */
type MetricSource = [namespace: string, metricName: string, dimensions: Record<string, string>, stat: string];

/** A metric row: id, label and unit, and its CloudWatch metric. */
function metric(
  id: string,
  label: string,
  unit: MetricDefinition['unit'],
  [namespace, metricName, dimensions, stat]: MetricSource,
): MetricDefinition {
  return { id, label, unit, namespace, metricName, dimensions, stat };
}

export function metricsFor(stage: Stage): MetricDefinition[] {
  const n = namesFor(stage);
  const sqs = (name: string, queue: string): MetricSource => ['AWS/SQS', name, { QueueName: queue }, 'Maximum'];
  const own = (name: string, stat: string): MetricSource => ['Ledgerline', name, { Stage: stage }, stat];
  const processor = (name: string, stat: string): MetricSource => [
    'AWS/Lambda',
    name,
    { FunctionName: n.processorFunctionName },
    stat,
  ];
  const saga = (name: string): MetricSource => ['AWS/States', name, { StateMachineArn: n.stateMachineName }, 'Sum'];
  const VISIBLE = 'ApproximateNumberOfMessagesVisible';
  const OLDEST = 'ApproximateAgeOfOldestMessage';
  const queueMetrics = n.queues.flatMap((q) => [
    metric(`queue.${q.id}.visible`, `${q.id} visible`, 'Count', sqs(VISIBLE, q.source)),
    metric(
      `queue.${q.id}.inflight`,
      `${q.id} in flight`,
      'Count',
      sqs('ApproximateNumberOfMessagesNotVisible', q.source),
    ),
    metric(`queue.${q.id}.oldest_age`, `${q.id} oldest age`, 'Seconds', sqs(OLDEST, q.source)),
    metric(`dlq.${q.id}.visible`, `${q.id} DLQ depth`, 'Count', sqs(VISIBLE, q.dlq)),
    metric(`dlq.${q.id}.oldest_age`, `${q.id} DLQ oldest age`, 'Seconds', sqs(OLDEST, q.dlq)),
  ]);
  return [
    metric('events.in', 'Events in', 'Count', ['AWS/Events', 'MatchedEvents', { EventBusName: n.busName }, 'Sum']),
    metric('events.rejected', 'Events rejected', 'Count', own('EventsRejected', 'Sum')),
    metric('bus.dlq.visible', 'Bus DLQ depth', 'Count', sqs(VISIBLE, n.busDlqName)),
    metric('processor.processed', 'Processed', 'Count', own('TransactionsProcessed', 'Sum')),
    metric('processor.duplicates', 'Duplicates suppressed', 'Count', own('DuplicatesSuppressed', 'Sum')),
    metric('processor.errors', 'Processor errors', 'Count', processor('Errors', 'Sum')),
    metric('processor.throttles', 'Processor throttles', 'Count', processor('Throttles', 'Sum')),
    metric('processor.duration.p50', 'Processing time p50', 'Milliseconds', processor('Duration', 'p50')),
    metric('processor.duration.p99', 'Processing time p99', 'Milliseconds', processor('Duration', 'p99')),
    metric('saga.started', 'Sagas started', 'Count', saga('ExecutionsStarted')),
    metric('saga.succeeded', 'Sagas succeeded', 'Count', saga('ExecutionsSucceeded')),
    // Not AWS/States ExecutionsFailed: that also counts sagas that ended Compensated (a Fail state).
    // A log metric filter on the state machine's log group counts only compensation failures. Its
    // name carries the stage: a metric filter can only take dimension values from fields of the
    // log event, and Step Functions log events have no stage field, while staging and production
    // share an account and region.
    metric('saga.failed', 'Sagas failed', 'Count', ['Ledgerline', sagaFailuresMetricName(stage), {}, 'Sum']),
    metric('saga.compensated', 'Sagas compensated', 'Count', own('SagasCompensated', 'Sum')),
    metric('saga.compensation_rate', 'Compensation rate', 'Percent', own('CompensationRate', 'Average')),
    metric('downstream.failure_rate', 'Downstream failure rate', 'Percent', own('DownstreamFailureRate', 'Average')),
    metric('replication.latency', 'Replication latency', 'Seconds', [
      'AWS/Events',
      'ReplicationLatency',
      { EndpointId: n.endpointName },
      'Maximum',
    ]),
    ...queueMetrics,
    // Deployed stages only (see PlatformNames.functionsDlqName and IN_FLIGHT_METRIC_ID).
    ...(stage === 'local'
      ? []
      : [
          metric('dlq.functions.visible', 'Functions DLQ depth', 'Count', sqs(VISIBLE, n.functionsDlqName)),
          metric(IN_FLIGHT_METRIC_ID, 'Message in-flight time p99', 'Seconds', own(IN_FLIGHT_METRIC_NAME, 'p99')),
          // Per account and region (shared by the stages there): StartExecution calls refused by the quota.
          metric('saga.start_throttled', 'StartExecution throttled', 'Count', [
            'AWS/States',
            'ThrottledEvents',
            { APIName: 'StartExecution' },
            'Sum',
          ]),
        ]),
  ];
}

/** Name of the saga-failures metric (namespace Ledgerline, no dimensions) of a stage. */
export function sagaFailuresMetricName(stage: Stage): string {
  return `SagaExecutionsFailed-${stage}`;
}

/**
 * An alarm on a 60 s period: above the threshold unless `comparison` says otherwise, missing data
 * not breaching unless `treatMissingData` says otherwise.
 */
function alarm(
  a: Omit<AlarmDefinition, 'comparison' | 'periodSeconds' | 'treatMissingData'> &
    Partial<Pick<AlarmDefinition, 'comparison' | 'treatMissingData'>>,
): AlarmDefinition {
  return { comparison: 'GreaterThanThreshold', periodSeconds: 60, treatMissingData: 'notBreaching', ...a };
}

export function alarmsFor(stage: Stage, capacityPerMinute = DEFAULT_EVENT_PROCESSING_CAPACITY): AlarmDefinition[] {
  const n = namesFor(stage);
  const bus = { kind: 'bus', id: n.busName } as const;
  const processor = { kind: 'function', id: n.processorFunctionName } as const;
  const saga = { kind: 'saga', id: n.stateMachineName } as const;
  const endpoint = { kind: 'endpoint', id: n.endpointName } as const;
  // Evaluation periods and datapoints to alarm: of(3, 2) alarms on 2 breaching datapoints of the last 3.
  const of = (evaluationPeriods: number, datapointsToAlarm: number) => ({ evaluationPeriods, datapointsToAlarm });
  const perQueue = n.queues.flatMap((q): AlarmDefinition[] => [
    alarm({
      suffix: `${q.id}-dlq-depth`,
      description: `Messages in the ${q.id} DLQ: processing failed 3 times`,
      metricId: `dlq.${q.id}.visible`,
      threshold: 0,
      ...of(1, 1),
      resource: { kind: 'queue', id: q.id },
    }),
    alarm({
      suffix: `${q.id}-oldest-message-age`,
      description: `Oldest message in ${q.id} waits longer than 5 minutes`,
      metricId: `queue.${q.id}.oldest_age`,
      threshold: 300,
      ...of(3, 2),
      resource: { kind: 'queue', id: q.id },
      writeRegionOnly: true,
    }),
  ]);
  return [
    ...perQueue,
    alarm({
      suffix: 'bus-dlq-depth',
      description: 'Events the bus could not deliver to a target',
      metricId: 'bus.dlq.visible',
      threshold: 0,
      ...of(1, 1),
      resource: bus,
    }),
    // Deployed stages only: the embedded platform has no functions DLQ (see PlatformNames.functionsDlqName).
    ...(stage === 'local'
      ? []
      : [
          alarm({
            suffix: 'functions-dlq-depth',
            description:
              'Failed asynchronous invocations of the archive indexer, circuit breaker or visibility adjuster',
            metricId: 'dlq.functions.visible',
            threshold: 0,
            ...of(1, 1),
            resource: { kind: 'platform', id: 'functions-dlq' },
          }),
          alarm({
            suffix: 'saga-start-throttled',
            description:
              "StartExecution calls are throttled: the account and region's Step Functions quota (shared by every stage there) is below the event rate, so sagas start late and messages are retried; request the increase the [ledgerline:capacity-quota] synth note names",
            metricId: 'saga.start_throttled',
            threshold: 0,
            ...of(3, 2),
            resource: saga,
          }),
        ]),
    alarm({
      suffix: 'high-event-volume',
      description: 'Event volume above 80% of the provisioned capacity',
      metricId: 'events.in',
      threshold: Math.round(capacityPerMinute * 0.8),
      ...of(3, 3),
      resource: bus,
    }),
    alarm({
      suffix: 'processor-errors',
      description: 'The processor function fails invocations',
      metricId: 'processor.errors',
      threshold: 5,
      ...of(3, 2),
      resource: processor,
    }),
    alarm({
      suffix: 'processor-throttles',
      description: 'The processor function is throttled',
      metricId: 'processor.throttles',
      threshold: 0,
      ...of(3, 2),
      resource: processor,
    }),
    alarm({
      suffix: 'saga-failed-executions',
      description: 'Saga executions failed (compensation could not complete)',
      metricId: 'saga.failed',
      threshold: 0,
      ...of(1, 1),
      resource: saga,
    }),
    alarm({
      suffix: 'saga-compensation-rate',
      description: 'More than 5% of sagas are compensated',
      metricId: 'saga.compensation_rate',
      threshold: 5,
      ...of(3, 2),
      resource: saga,
    }),
    alarm({
      suffix: 'downstream-failures',
      description: 'Downstream (settlement) failure rate above 20%: the circuit breaker opens',
      metricId: 'downstream.failure_rate',
      threshold: 20,
      ...of(2, 2),
      resource: { kind: 'platform', id: 'downstream' },
    }),
    alarm({
      suffix: 'replication-latency',
      description: 'Cross-region event replication slower than 60 s',
      metricId: 'replication.latency',
      threshold: 60,
      ...of(5, 3),
      resource: endpoint,
      globalOnly: true,
    }),
    alarm({
      suffix: 'endpoint-health',
      description: 'Primary region health for the global endpoint failover',
      metricId: 'events.in',
      threshold: 1,
      comparison: 'LessThanThreshold',
      ...of(5, 5),
      treatMissingData: 'breaching',
      resource: endpoint,
      globalOnly: true,
    }),
  ];
}

export function alarmName(stage: Stage, suffix: string): string {
  return `${namesFor(stage).prefix}-${suffix}`;
}
