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
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterPattern, MetricFilter, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  alarmName,
  alarmsFor,
  metricsFor,
  type AlarmDefinition,
  type MetricDefinition,
  type Stage,
} from '../../platform/description';
import { SAGA_COMPENSATED_ERROR } from '../../saga/definition';

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
  removalPolicy: RemovalPolicy;
}

const comparisons: Record<AlarmDefinition['comparison'], ComparisonOperator> = {
  GreaterThanThreshold: ComparisonOperator.GREATER_THAN_THRESHOLD,
  GreaterThanOrEqualToThreshold: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  LessThanThreshold: ComparisonOperator.LESS_THAN_THRESHOLD,
  LessThanOrEqualToThreshold: ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
};
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

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', {
      topicName: props.topicName,
      displayName: `Ledgerline ${props.stage} alarms`,
      masterKey: props.key,
      enforceSSL: true,
    });
    this.topic.applyRemovalPolicy(props.removalPolicy);
    const alarmAction = new SnsAction(this.topic);
    const metricDefs = new Map(metricsFor(props.stage).map((m) => [m.id, m]));
    const smArn = props.stateMachine.stateMachineArn;

    new MetricFilter(this, 'SagaFailuresFilter', {
      logGroup: props.sagaLogGroup,
      metricNamespace: 'Ledgerline',
      metricName: 'SagaExecutionsFailed',
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
    // No dimension: Step Functions log events carry no stage field (the log group is per stage).
    const sagaFailuresMetric = new Metric({
      namespace: 'Ledgerline',
      metricName: 'SagaExecutionsFailed',
      statistic: 'Sum',
      period: Duration.minutes(1),
    });

    const metricOf = (def: MetricDefinition, period: Duration): Metric => {
      if (def.namespace === 'AWS/States') {
        return new Metric({
          namespace: def.namespace,
          metricName: def.metricName,
          dimensionsMap: { StateMachineArn: smArn },
          statistic: def.stat,
          period,
        });
      }
      return new Metric({
        namespace: def.namespace,
        metricName: def.metricName,
        dimensionsMap: def.dimensions,
        statistic: def.stat,
        period,
      });
    };

    for (const a of alarmsFor(props.stage, props.plannedCapacityPerMinute)) {
      if (a.globalOnly && !props.withGlobalEndpoint) continue;
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
      const alarm = new Alarm(this, `Alarm-${a.suffix}`, {
        alarmName: alarmName(props.stage, a.suffix),
        alarmDescription: a.description,
        metric,
        threshold,
        comparisonOperator: comparisons[a.comparison],
        evaluationPeriods: a.evaluationPeriods,
        datapointsToAlarm: a.datapointsToAlarm,
        treatMissingData: missing[a.treatMissingData],
        actionsEnabled: true,
      });
      alarm.addAlarmAction(alarmAction);
      alarm.addOkAction(alarmAction);
      this.alarms.set(a.suffix, alarm);
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
        [new AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms.values()], width: 24, height: 4 })],
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
}
