import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { DescribeEndpointCommand, DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { alarmName, alarmsFor } from '../../../infra/platform/description';
import { alarmHistoryItemSchema, alarmSchema, metricSeriesSchema, regionSchema } from '../platform.schema';
import { callerOf, NOW, testConfig, testPlatform } from './testing';

const cw = mockClient(CloudWatchClient);
const events = mockClient(EventBridgeClient);
const sts = mockClient(STSClient);
const config = testConfig();
const viewer = callerOf('viewer');

function metricAlarm(suffix: string, state: 'OK' | 'ALARM', extra: Partial<MetricAlarm> = {}): MetricAlarm {
  return {
    AlarmName: alarmName('staging', suffix),
    AlarmDescription: `about ${suffix}`,
    StateValue: state,
    StateReason: 'Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (0.0).',
    StateUpdatedTimestamp: new Date(NOW - 5_000),
    StateTransitionedTimestamp: new Date(NOW - 60_000),
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: 'ledgerline-staging-processing-dlq' }],
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
    ...extra,
  };
}

beforeEach(() => {
  cw.reset();
  events.reset();
  sts.reset();
});

describe('alarms', () => {
  it("lists the stage's alarms 100 at a time, following NextToken, mapped to DTOs with their resource", async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [metricAlarm('processing-dlq-depth', 'ALARM')], NextToken: 'p2' })
      .resolvesOnce({
        MetricAlarms: [
          metricAlarm('processor-errors', 'OK', {
            Namespace: 'AWS/Lambda',
            MetricName: 'Errors',
            Threshold: 5,
            DatapointsToAlarm: 2,
            EvaluationPeriods: 3,
          }),
        ],
      });
    const { platform } = testPlatform();
    const alarms = await platform.listAlarms(viewer, { state: 'ALARM' });
    // By name, never by prefix: CloudWatch authorizes a prefix listing on alarm:*, outside the roles' grant.
    const stageAlarmNames = alarmsFor('staging').map((a) => alarmName('staging', a.suffix));
    expect(stageAlarmNames).toContain('ledgerline-staging-processing-dlq-depth');
    expect(cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).toEqual([
      {
        AlarmNames: stageAlarmNames,
        AlarmTypes: ['MetricAlarm'],
        MaxRecords: 100,
        NextToken: undefined,
        StateValue: 'ALARM',
      },
      {
        AlarmNames: stageAlarmNames,
        AlarmTypes: ['MetricAlarm'],
        MaxRecords: 100,
        NextToken: 'p2',
        StateValue: 'ALARM',
      },
    ]);
    expect(alarms.map((a) => alarmSchema.parse(a))).toHaveLength(2);
    expect(alarms[0]).toEqual({
      name: 'ledgerline-staging-processing-dlq-depth',
      region: 'us-east-1',
      description: 'about processing-dlq-depth',
      state: 'ALARM',
      reason: 'Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (0.0).',
      since: new Date(NOW - 60_000).toISOString(),
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      metric: {
        namespace: 'AWS/SQS',
        name: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: 'ledgerline-staging-processing-dlq' },
        stat: 'Maximum',
        periodSeconds: 60,
      },
      resource: { kind: 'queue', id: 'processing' },
    });
    expect(alarms[1]?.resource).toEqual({ kind: 'function', id: 'ledgerline-staging-processor' });
    expect(await platform.listAlarms(viewer, { region: 'eu-west-1' })).toEqual([]);
  });

  it('reads one alarm with its state-change history', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [metricAlarm('processing-dlq-depth', 'ALARM')] });
    cw.on(DescribeAlarmHistoryCommand).resolves({
      AlarmHistoryItems: [
        {
          AlarmName: 'ledgerline-staging-processing-dlq-depth',
          Timestamp: new Date(NOW - 60_000),
          HistoryItemType: 'StateUpdate',
          HistorySummary: 'Alarm updated from OK to ALARM',
          HistoryData: JSON.stringify({
            oldState: { stateValue: 'OK' },
            newState: { stateValue: 'ALARM', stateReason: 'Threshold Crossed' },
          }),
        },
      ],
    });
    const { platform } = testPlatform();
    const found = await platform.getAlarm(viewer, 'ledgerline-staging-processing-dlq-depth');
    expect(found?.history.map((h) => alarmHistoryItemSchema.parse(h))).toEqual([
      { timestamp: new Date(NOW - 60_000).toISOString(), from: 'OK', to: 'ALARM', reason: 'Threshold Crossed' },
    ]);
    expect(cw.commandCalls(DescribeAlarmHistoryCommand)[0]!.args[0].input).toMatchObject({
      AlarmName: 'ledgerline-staging-processing-dlq-depth',
      HistoryItemType: 'StateUpdate',
      ScanBy: 'TimestampDescending',
      MaxRecords: 100,
    });
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    expect(await platform.getAlarm(viewer, 'nope')).toBeNull();
  });
});

describe('metrics', () => {
  it('asks CloudWatch for a period it still keeps for data that old (>15 d: 300 s steps, >63 d: 3600 s)', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const { platform } = testPlatform();
    const day = 86_400_000;
    const periodSent = async (startAgo: number, periodSeconds: number) => {
      cw.resetHistory();
      const from = new Date(NOW - startAgo).toISOString();
      const to = new Date(NOW - startAgo + 3_600_000).toISOString();
      await platform.getMetricSeries(viewer, { metrics: ['events.in'], from, to, periodSeconds });
      return cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries![0]!.MetricStat!.Period;
    };
    expect(await periodSent(2 * 3_600_000, 60)).toBe(60); // recent: 1-minute data is kept
    expect(await periodSent(14 * day, 120)).toBe(120);
    expect(await periodSent(20 * day, 60)).toBe(300); // an alarm's incident view 20 days later
    expect(await periodSent(20 * day, 900)).toBe(900);
    expect(await periodSent(20 * day, 420)).toBe(600); // rounded up, never down
    expect(await periodSent(70 * day, 600)).toBe(3600);
    expect(await periodSent(70 * day, 7200)).toBe(7200);
  });

  it('asks GetMetricData for the described metrics (state machine by ARN) and returns ascending series', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'm0', Timestamps: [new Date(NOW - 60_000), new Date(NOW - 120_000)], Values: [12, 10] },
        { Id: 'm1', Timestamps: [], Values: [] },
      ],
    });
    const { platform } = testPlatform();
    const from = new Date(NOW - 3_600_000).toISOString();
    const to = new Date(NOW).toISOString();
    const series = await platform.getMetricSeries(viewer, { metrics: ['events.in', 'saga.started'], from, to });
    const input = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input.StartTime).toEqual(new Date(from));
    expect(input.MetricDataQueries).toEqual([
      {
        Id: 'm0',
        Label: 'events.in',
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Events',
            MetricName: 'MatchedEvents',
            Dimensions: [{ Name: 'EventBusName', Value: 'ledgerline-staging-bus' }],
          },
          Period: 60,
          Stat: 'Sum',
        },
      },
      {
        Id: 'm1',
        Label: 'saga.started',
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/States',
            MetricName: 'ExecutionsStarted',
            Dimensions: [{ Name: 'StateMachineArn', Value: config.stateMachineArn }],
          },
          Period: 60,
          Stat: 'Sum',
        },
      },
    ]);
    expect(series.map((s) => metricSeriesSchema.parse(s))).toEqual([
      {
        id: 'events.in',
        label: 'Events in',
        unit: 'Count',
        points: [
          { t: new Date(NOW - 120_000).toISOString(), v: 10 },
          { t: new Date(NOW - 60_000).toISOString(), v: 12 },
        ],
      },
      { id: 'saga.started', label: 'Sagas started', unit: 'Count', points: [] },
    ]);
  });

  it('refuses unknown metric ids naming the field', async () => {
    const { platform } = testPlatform();
    await expect(
      platform.getMetricSeries(viewer, {
        metrics: ['nope'],
        from: new Date(NOW - 60_000).toISOString(),
        to: new Date(NOW).toISOString(),
      }),
    ).rejects.toMatchObject({ code: 'Invalid', field: 'metrics' });
    expect(cw.calls()).toHaveLength(0);
  });
});

describe('regions', () => {
  it('reports a single-region stage healthy when its bus answers', async () => {
    events.on(DescribeEventBusCommand).resolves({ Name: config.bus.name });
    const { platform } = testPlatform();
    expect((await platform.listRegions(viewer)).map((r) => regionSchema.parse(r))).toEqual([
      { id: 'us-east-1', primary: true, healthy: true },
    ]);
  });

  it('reads health from the global endpoint and the endpoint-health alarm when there is one', async () => {
    events.on(DescribeEndpointCommand).resolves({ Name: 'ledgerline-production-global', State: 'ACTIVE' });
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: 'ledgerline-production-endpoint-health', StateValue: 'ALARM' }],
    });
    const { platform } = testPlatform(
      testConfig({
        stage: 'production',
        secondaryRegion: 'eu-west-1',
        globalEndpoint: { name: 'ledgerline-production-global', id: 'abc.veo' },
      }),
    );
    expect(await platform.listRegions(viewer)).toEqual([
      { id: 'us-east-1', primary: true, healthy: false },
      { id: 'eu-west-1', primary: false, healthy: true },
    ]);
    expect(cw.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input.AlarmNames).toEqual([
      'ledgerline-production-endpoint-health',
    ]);
  });
});

describe('ping', () => {
  it("answers from STS with the console's own credentials and reports failures without throwing or showing AWS's text", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
    const { platform } = testPlatform(config, { consoleSts: new STSClient({ region: 'us-east-1' }) });
    const up = await platform.ping();
    expect(up).toMatchObject({ ok: true });
    // The health route answers anyone: the account id stays out of it.
    expect(up.detail).not.toContain('111122223333');
    sts
      .on(GetCallerIdentityCommand)
      .rejects(
        Object.assign(new Error('User arn:aws:iam::111122223333:user/x is not authorized'), { name: 'AccessDenied' }),
      );
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const down = await platform.ping();
      expect(down).toMatchObject({ ok: false, detail: expect.stringContaining('AccessDenied') as unknown });
      expect(down.detail).not.toMatch(/arn:aws|\d{12}/);
      // The detail goes to the server's log instead.
      expect(String(warn.mock.calls[0]?.[0])).toContain('is not authorized');
    } finally {
      warn.mockRestore();
    }
  });
});
