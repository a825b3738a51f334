import 'server-only';
import type {
  AlarmHistoryItem,
  DescribeAlarmHistoryInput,
  DescribeAlarmsInput,
  GetMetricDataInput,
  MetricAlarm,
  MetricDataResult,
  StateValue,
} from '@aws-sdk/client-cloudwatch';
import { alarmName, alarmsFor, metricsFor, type Stage } from '../../../infra/platform/description';
import type { AwsPlatformConfig } from './config';
import { awsError, pageToken, readPageToken, unit, type FakeClock } from './contract-fake-clock';

/**
 * CloudWatch for the contract harness: the stage's alarms as DescribeAlarms returns them (Dates,
 * metric or metric-math shape, pages of MaxRecords ≤ 100 with NextToken), their StateUpdate
 * history (HistoryData as a JSON string) and GetMetricData series aligned to the period.
 */

const ALARM_STATES: StateValue[] = ['ALARM', 'OK', 'INSUFFICIENT_DATA', 'OK', 'OK'];

interface FakeAlarm {
  alarm: MetricAlarm;
  history: AlarmHistoryItem[];
}

export class FakeCloudWatch {
  private readonly alarms: FakeAlarm[];

  constructor(
    private readonly clock: FakeClock,
    private readonly config: AwsPlatformConfig,
    account: string,
  ) {
    const stage: Stage = config.stage;
    const metrics = metricsFor(stage);
    const now = clock.now();
    this.alarms = alarmsFor(stage)
      .filter((d) => !d.globalOnly)
      .map((d, i) => {
        const name = alarmName(stage, d.suffix);
        const state = ALARM_STATES[i % ALARM_STATES.length]!;
        const since = new Date(now - (i + 1) * 7 * 60_000);
        const m = metrics.find((x) => x.id === d.metricId);
        const dimensions = Object.entries(m?.dimensions ?? {}).map(([Name, Value]) => ({
          Name,
          Value: Name === 'StateMachineArn' ? config.stateMachineArn : Value,
        }));
        const percentile = m && /^p\d/.test(m.stat);
        const reason =
          state === 'INSUFFICIENT_DATA'
            ? 'Insufficient Data: 1 datapoint was unknown.'
            : `Threshold Crossed: 1 datapoint [${state === 'ALARM' ? d.threshold + 3 : 0}] was ${state === 'ALARM' ? 'greater' : 'not greater'} than the threshold (${d.threshold}).`;
        const alarm: MetricAlarm = {
          AlarmName: name,
          AlarmArn: `arn:aws:cloudwatch:${config.region}:${account}:alarm:${name}`,
          AlarmDescription: d.description,
          ActionsEnabled: true,
          AlarmActions: [`arn:aws:sns:${config.region}:${account}:${config.stage}-alarms`],
          StateValue: state,
          StateReason: reason,
          StateReasonData: JSON.stringify({ version: '1.0', queryDate: since.toISOString() }),
          StateUpdatedTimestamp: since,
          StateTransitionedTimestamp: since,
          AlarmConfigurationUpdatedTimestamp: new Date(now - 30 * 86_400_000),
          ...(m
            ? {
                MetricName: m.metricName,
                Namespace: m.namespace,
                Dimensions: dimensions,
                ...(percentile ? { ExtendedStatistic: m.stat } : { Statistic: m.stat as 'Sum' }),
                Period: d.periodSeconds,
              }
            : {}),
          EvaluationPeriods: d.evaluationPeriods,
          DatapointsToAlarm: d.datapointsToAlarm,
          Threshold: d.threshold,
          ComparisonOperator: d.comparison,
          TreatMissingData: d.treatMissingData,
        };
        const from = state === 'OK' ? 'ALARM' : 'OK';
        const history: AlarmHistoryItem[] = [
          { at: since, from, to: state },
          { at: new Date(since.getTime() - 3_600_000), from: 'INSUFFICIENT_DATA', to: from },
        ].map((h) => ({
          AlarmName: name,
          AlarmType: 'MetricAlarm',
          Timestamp: h.at,
          HistoryItemType: 'StateUpdate',
          HistorySummary: `Alarm updated from ${h.from} to ${h.to}`,
          HistoryData: JSON.stringify({
            version: '1.0',
            oldState: { stateValue: h.from, stateReason: 'previous state' },
            newState: { stateValue: h.to, stateReason: reason },
          }),
        }));
        return { alarm, history };
      });
  }

  describeAlarms(input: DescribeAlarmsInput) {
    const max = input.MaxRecords ?? 50;
    if (max < 1 || max > 100) throw awsError('InvalidParameterValue', 'MaxRecords must be between 1 and 100');
    const matching = this.alarms
      .map((a) => a.alarm)
      .filter((a) => !input.AlarmNames?.length || input.AlarmNames.includes(a.AlarmName ?? ''))
      .filter((a) => !input.AlarmNamePrefix || (a.AlarmName ?? '').startsWith(input.AlarmNamePrefix))
      .filter((a) => !input.StateValue || a.StateValue === input.StateValue)
      .sort((a, b) => (a.AlarmName ?? '').localeCompare(b.AlarmName ?? ''));
    const bound = JSON.stringify({ ...input, NextToken: undefined });
    const offset = readPageToken(input.NextToken, bound);
    const page = matching.slice(offset, offset + max);
    const next = offset + max < matching.length ? pageToken(offset + max, bound) : undefined;
    return { MetricAlarms: page, CompositeAlarms: [], ...(next ? { NextToken: next } : {}) };
  }

  describeAlarmHistory(input: DescribeAlarmHistoryInput) {
    const items = this.alarms.find((a) => a.alarm.AlarmName === input.AlarmName)?.history ?? [];
    const ordered = input.ScanBy === 'TimestampAscending' ? [...items].reverse() : items;
    return { AlarmHistoryItems: ordered.slice(0, input.MaxRecords ?? 100) };
  }

  getMetricData(input: GetMetricDataInput) {
    const queries = input.MetricDataQueries ?? [];
    if (queries.length > 500)
      throw awsError('ValidationError', 'The collection MetricDataQueries must not have a size greater than 500.');
    const start = input.StartTime?.getTime() ?? 0;
    const end = Math.min(input.EndTime?.getTime() ?? 0, this.clock.now());
    const results: MetricDataResult[] = queries.map((q) => {
      const period = (q.MetricStat?.Period ?? q.Period ?? 60) * 1000;
      const metric = q.MetricStat?.Metric;
      const key = `${metric?.Namespace}/${metric?.MetricName}/${JSON.stringify(metric?.Dimensions ?? [])}`;
      const stamps: Date[] = [];
      const values: number[] = [];
      // CloudWatch has no datapoint for the current, incomplete period.
      for (let t = Math.ceil(start / period) * period; t + period <= end; t += period) {
        stamps.push(new Date(t));
        values.push(Math.round(unit(`${key}@${t}`) * (metric?.Namespace === 'AWS/SQS' ? 40 : 600)));
      }
      if (input.ScanBy !== 'TimestampAscending') {
        stamps.reverse();
        values.reverse();
      }
      return {
        Id: q.Id,
        Label: q.Label ?? metric?.MetricName,
        Timestamps: stamps,
        Values: values,
        StatusCode: 'Complete',
      };
    });
    return { MetricDataResults: results, Messages: [] };
  }
}
