/**
 * Observability: the CloudWatch alarms of the platform description (`alarmsFor`: the names
 * the console and the embedded platform use), an SNS topic for them (CMK, SSL-only), and the
 * operations dashboard.
 *
 * Each alarm keeps the definition's name, threshold, comparison, period, datapoints and
 * missing-data treatment. Its metric is the definition's metric, with three mappings where
 * the raw definition cannot be deployed as is:
 *  - `high-event-volume`: the threshold follows the `EventProcessingCapacity` parameter at
 *    deploy time: `MatchedEvents / 0.8 > capacity` (same as `MatchedEvents > 0.8 × capacity`).
 *  - `saga-failed-executions`: the saga ends compensated sagas in the Fail state `Compensated`,
 *    which AWS/States counts in ExecutionsFailed; the alarm means "compensation could not
 *    complete", so it counts the executions that ended in any other failure (log metric filter
 *    on the state machine's ALL-level log).
 *  - Step Functions metrics use the state machine's ARN as `StateMachineArn` dimension.
 *  - `replication-latency` (production primary only) watches the endpoint's id, not its name:
 *    `watchGlobalEndpoint()` creates it once the endpoint exists, under the endpoint's condition.
 *  - `saga.failed` is a per-stage metric name (see `sagaFailuresMetricName`), published by the
 *    metric filter below: staging and production share account and region.
 *
 * Alarm notifications go to the topic's subscriptions, from CDK context (`alarmSubscriptionsFrom`):
 * `-c alarmEmails=a@bank.example,b@bank.example` and/or `-c alarmHttpsUrls=https://pager.example/hook`
 * (every stage). A production stack without any subscription fails synth, unless the context
 * `localSynth=true` says the synth is a local check that will not be deployed (`npm run synth`).
 */
import { Annotations, ArnFormat, Duration, Stack, type CfnCondition, type RemovalPolicy } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
  type CfnAlarm,
  type IAlarm,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { CfnEndpoint } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterPattern, MetricFilter, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, UrlSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type Node } from 'constructs';
import {
  alarmName,
  alarmsFor,
  metricsFor,
  type AlarmDefinition,
  type MetricDefinition,
  type Stage,
} from '../../platform/description';
import { SAGA_COMPENSATED_ERROR } from '../../saga/definition';
import { acknowledge } from '../nag';

export interface ObservabilityProps {
  stage: Stage;
  key: IKey;
  topicName: string;
  dashboardName: string;
  /** The EventProcessingCapacity parameter (events/min), a deploy-time token. */
  capacityPerMinute: number;
  /** Synth-time capacity for the alarm definitions' static fields. */
  plannedCapacityPerMinute: number;
  stateMachine: StateMachine;
  sagaLogGroup: ILogGroup;
  /** Whether this stack hosts the global endpoint (globalOnly alarms). */
  withGlobalEndpoint: boolean;
  /**
   * Whether this region processes (the write region). Outside it the processing queues only
   * collect replicated events nobody consumes (their retention is below the idempotency TTL,
   * see Processing), so their oldest-message-age alarms would fire all the time: they keep their
   * state for the console but notify nobody until the region is promoted.
   */
  processingEnabled: boolean;
  removalPolicy: RemovalPolicy;
}

const REPLICATION_LATENCY = 'replication-latency';

const comparisons: Record<AlarmDefinition['comparison'], ComparisonOperator> = {
  GreaterThanThreshold: ComparisonOperator.GREATER_THAN_THRESHOLD,
  GreaterThanOrEqualToThreshold: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  LessThanThreshold: ComparisonOperator.LESS_THAN_THRESHOLD,
  LessThanOrEqualToThreshold: ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
};
/** Where the alarm notifications go (CDK context, see `alarmSubscriptionsFrom`). */
export interface AlarmSubscriptions {
  emails: string[];
  httpsUrls: string[];
  /** `localSynth=true`: a local synth that is not deployed; production may then have no subscription. */
  localSynth: boolean;
}

const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

/** A context value that is a list: a comma-separated string (`-c key=a,b`) or a string array. */
function contextList(node: Node, key: string): string[] {
  const v: unknown = node.tryGetContext(key);
  if (v === undefined || v === null || v === '') return [];
  const items = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : null;
  if (!items || items.some((x) => typeof x !== 'string')) {
    throw new Error(`context ${key} must be a comma-separated string or a list of strings, got ${JSON.stringify(v)}`);
  }
  return (items as string[]).map((x) => x.trim()).filter((x) => x !== '');
}

/** Reads and checks the alarm subscriptions from CDK context (`alarmEmails`, `alarmHttpsUrls`, `localSynth`). */
export function alarmSubscriptionsFrom(node: Node): AlarmSubscriptions {
  const emails = contextList(node, 'alarmEmails');
  for (const e of emails) {
    if (!EMAIL.test(e)) throw new Error(`context alarmEmails: "${e}" is not an email address`);
  }
  const httpsUrls = contextList(node, 'alarmHttpsUrls');
  for (const u of httpsUrls) {
    let url: URL | null = null;
    try {
      url = new URL(u);
    } catch {
      url = null;
    }
    if (url?.protocol !== 'https:') throw new Error(`context alarmHttpsUrls: "${u}" is not an https:// URL`);
  }
  const local: unknown = node.tryGetContext('localSynth');
  return { emails, httpsUrls, localSynth: local === true || local === 'true' };
}

const missing: Record<AlarmDefinition['treatMissingData'], TreatMissingData> = {
  missing: TreatMissingData.MISSING,
  notBreaching: TreatMissingData.NOT_BREACHING,
  breaching: TreatMissingData.BREACHING,
  ignore: TreatMissingData.IGNORE,
};

export class Observability extends Construct {
  readonly topic: Topic;
  readonly alarms = new Map<string, Alarm>();
  readonly dashboard: Dashboard;
  private readonly stage: Stage;
  private readonly processingEnabled: boolean;
  private readonly metricDefs: Map<string, MetricDefinition>;
  private readonly alarmAction: SnsAction;
  /** The dashboard's alarm status widget reads this list when the dashboard is rendered (synth). */
  private readonly widgetAlarms: IAlarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', {
      topicName: props.topicName,
      displayName: `Ledgerline ${props.stage} alarms`,
      masterKey: props.key,
      enforceSSL: true,
    });
    this.topic.applyRemovalPolicy(props.removalPolicy);
    this.subscribe(props.stage);
    this.stage = props.stage;
    this.processingEnabled = props.processingEnabled;
    const alarmAction = new SnsAction(this.topic);
    this.alarmAction = alarmAction;
    const metricDefs = new Map(metricsFor(props.stage).map((m) => [m.id, m]));
    this.metricDefs = metricDefs;
    const smArn = props.stateMachine.stateMachineArn;

    const sagaFailed = metricDefs.get('saga.failed');
    if (!sagaFailed) throw new Error('metric saga.failed is missing from metricsFor()');
    new MetricFilter(this, 'SagaFailuresFilter', {
      logGroup: props.sagaLogGroup,
      metricNamespace: sagaFailed.namespace,
      metricName: sagaFailed.metricName,
      filterPattern: FilterPattern.any(
        FilterPattern.stringValue('$.type', '=', 'ExecutionTimedOut'),
        FilterPattern.stringValue('$.type', '=', 'ExecutionAborted'),
        FilterPattern.all(
          FilterPattern.stringValue('$.type', '=', 'ExecutionFailed'),
          FilterPattern.stringValue('$.details.error', '!=', SAGA_COMPENSATED_ERROR),
        ),
      ),
      metricValue: '1',
    });
    // No dimension: a metric filter takes dimension values only from fields of the log event, and
    // Step Functions log events carry no stage field; the stage is in the metric name instead.
    const sagaFailuresMetric = new Metric({
      namespace: sagaFailed.namespace,
      metricName: sagaFailed.metricName,
      statistic: sagaFailed.stat,
      period: Duration.minutes(1),
    });

    // description.ts names resources; a StateMachineArn dimension gets the ARN (as the console's
    // AWS adapter does). Other dimensions (e.g. APIName of the Step Functions API metrics) stay.
    const metricOf = (def: MetricDefinition, period: Duration): Metric =>
      new Metric({
        namespace: def.namespace,
        metricName: def.metricName,
        dimensionsMap:
          'StateMachineArn' in def.dimensions ? { ...def.dimensions, StateMachineArn: smArn } : def.dimensions,
        statistic: def.stat,
        period,
      });

    for (const a of alarmsFor(props.stage, props.plannedCapacityPerMinute)) {
      if (a.globalOnly && !props.withGlobalEndpoint) continue;
      // Needs the endpoint's id: created by watchGlobalEndpoint() (checked below).
      if (a.suffix === REPLICATION_LATENCY) continue;
      const def = metricDefs.get(a.metricId);
      if (!def) throw new Error(`alarm ${a.suffix} refers to unknown metric ${a.metricId}`);
      const period = Duration.seconds(a.periodSeconds);
      let metric: IMetric = metricOf(def, period);
      let threshold = a.threshold;
      if (a.suffix === 'high-event-volume') {
        metric = new MathExpression({
          expression: 'm1 / 0.8',
          usingMetrics: { m1: metric },
          label: 'Matched events / 0.8 (alarms above the EventProcessingCapacity parameter)',
          period,
        });
        threshold = props.capacityPerMinute;
      } else if (a.suffix === 'saga-failed-executions') {
        metric = sagaFailuresMetric.with({ period });
      }
      this.widgetAlarms.push(this.addAlarm(a, metric, threshold));
    }
    if (props.withGlobalEndpoint) {
      this.node.addValidation({
        validate: () =>
          this.alarms.has(REPLICATION_LATENCY)
            ? []
            : [`the ${REPLICATION_LATENCY} alarm needs the global endpoint: call watchGlobalEndpoint()`],
      });
    }

    const g = (id: string) => {
      const def = metricDefs.get(id);
      if (!def) throw new Error(`unknown metric ${id}`);
      return metricOf(def, Duration.minutes(1)).with({ label: def.label });
    };
    const queueIds = [...metricDefs.keys()].filter((k) => k.startsWith('queue.') || k.startsWith('dlq.'));
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
      widgets: [
        [new AlarmStatusWidget({ title: 'Alarms', alarms: this.widgetAlarms, width: 24, height: 4 })],
        [
          new GraphWidget({
            title: 'Events',
            left: [g('events.in'), g('events.rejected'), g('bus.dlq.visible')],
            width: 8,
          }),
          new GraphWidget({
            title: 'Processor',
            left: [
              g('processor.processed'),
              g('processor.duplicates'),
              g('processor.errors'),
              g('processor.throttles'),
            ],
            width: 8,
          }),
          new GraphWidget({
            title: 'Processing time',
            left: [g('processor.duration.p50'), g('processor.duration.p99')],
            width: 8,
          }),
        ],
        [
          new GraphWidget({ title: 'Queues', left: queueIds.map(g), width: 12 }),
          new GraphWidget({
            title: 'Sagas',
            left: [
              g('saga.started'),
              g('saga.succeeded'),
              g('saga.compensated'),
              sagaFailuresMetric.with({ label: 'Sagas failed (not compensated)' }),
            ],
            right: [g('saga.compensation_rate'), g('downstream.failure_rate')],
            width: 12,
          }),
        ],
      ],
    });
  }

  /**
   * The `replication-latency` alarm on the endpoint's `ReplicationLatency`, whose `EndpointId`
   * dimension is the endpoint's id (not its name). It takes the endpoint's condition, if any.
   */
  watchGlobalEndpoint(endpoint: CfnEndpoint, condition?: CfnCondition): Alarm {
    if (this.alarms.has(REPLICATION_LATENCY)) throw new Error(`${REPLICATION_LATENCY} alarm already created`);
    const a = alarmsFor(this.stage).find((d) => d.suffix === REPLICATION_LATENCY);
    const def = a && this.metricDefs.get(a.metricId);
    if (!a || !def)
      throw new Error(`${REPLICATION_LATENCY} alarm or its metric is missing from the platform description`);
    const metric = new Metric({
      namespace: def.namespace,
      metricName: def.metricName,
      dimensionsMap: { EndpointId: endpoint.attrEndpointId },
      statistic: def.stat,
      period: Duration.seconds(a.periodSeconds),
    });
    const alarm = this.addAlarm(a, metric, a.threshold);
    if (condition) {
      (alarm.node.defaultChild as CfnAlarm).cfnOptions.condition = condition;
      // By ARN, not by reference: the unconditional dashboard must not reference a conditional resource.
      const name = alarmName(this.stage, a.suffix);
      const arn = Stack.of(this).formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      this.widgetAlarms.push(Alarm.fromAlarmArn(this, `Ref-${a.suffix}`, arn));
    } else {
      this.widgetAlarms.push(alarm);
    }
    return alarm;
  }

  private addAlarm(a: AlarmDefinition, metric: IMetric, threshold: number): Alarm {
    const actionsEnabled = this.processingEnabled || !a.writeRegionOnly;
    const alarm = new Alarm(this, `Alarm-${a.suffix}`, {
      alarmName: alarmName(this.stage, a.suffix),
      alarmDescription: a.description,
      metric,
      threshold,
      comparisonOperator: comparisons[a.comparison],
      evaluationPeriods: a.evaluationPeriods,
      datapointsToAlarm: a.datapointsToAlarm,
      treatMissingData: missing[a.treatMissingData],
      actionsEnabled,
    });
    if (!actionsEnabled)
      acknowledge(
        alarm,
        'NIST.800.53.R5-CloudWatchAlarmAction',
        'This region does not process: its queues only collect replicated events until a promotion, so the age alarm keeps its state for the console and notifies once the region becomes the write region.',
      );
    alarm.addAlarmAction(this.alarmAction);
    alarm.addOkAction(this.alarmAction);
    this.alarms.set(a.suffix, alarm);
    return alarm;
  }

  /** Subscribes the context's emails and HTTPS URLs; production must have at least one (see the header). */
  private subscribe(stage: Stage): void {
    const subs = alarmSubscriptionsFrom(this.node);
    const subscriptions = [
      ...subs.emails.map((email) => this.topic.addSubscription(new EmailSubscription(email))),
      ...subs.httpsUrls.map((url) => this.topic.addSubscription(new UrlSubscription(url))),
    ];
    for (const sub of subscriptions) {
      acknowledge(
        sub,
        'Serverless-SNSRedrivePolicy',
        "Alarm notifications are not the record of an alarm: CloudWatch keeps each alarm's state and history (the console reads them), and SNS retries email/HTTPS delivery by its delivery policy. A dead-letter queue here would need its own alarm, notifying through this same topic.",
      );
    }
    if (stage !== 'production' || subs.emails.length + subs.httpsUrls.length > 0) return;
    const why = `the ${stage} alarm topic has no subscription, so its alarms would notify nobody: pass -c alarmEmails=<a@bank.example,...> and/or -c alarmHttpsUrls=<https://...>`;
    if (!subs.localSynth) throw new Error(`${why} (or -c localSynth=true for a local synth that is not deployed)`);
    Annotations.of(this).addInfo(`${why}. This is a local synth (localSynth=true): do not deploy it.`);
  }
}
