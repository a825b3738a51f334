import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { alarmName } from '../../../infra/platform/description';
import { alarmSchema } from '../platform.schema';
import { toAlarm } from './alarm-mappers';
import { NOW, testConfig } from './testing';

const ctx = { config: testConfig(), now: () => NOW };
const minute = (m: number) => new Date(NOW - m * 60_000).toISOString();

/** The downstream alarm (> 20 %, 2 of 3) as DescribeAlarms returns it, with its StateReasonData. */
function downstream(state: 'OK' | 'ALARM', evaluated: { timestamp: string; value?: number }[]): MetricAlarm {
  return {
    AlarmName: alarmName('staging', 'downstream-failures'),
    StateValue: state,
    StateReason: 'Threshold Crossed',
    StateReasonData: JSON.stringify({ version: '1.0', threshold: 20, evaluatedDatapoints: evaluated }),
    StateTransitionedTimestamp: new Date(NOW - 30_000),
    Namespace: 'Ledgerline',
    MetricName: 'DownstreamFailureRate',
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 2,
    Threshold: 20,
    ComparisonOperator: 'GreaterThanThreshold',
  };
}

describe('CloudWatch alarms as the port’s DTOs', () => {
  it('starts an ALARM episode at the oldest breaching datapoint CloudWatch evaluated', () => {
    const alarm = toAlarm(
      ctx,
      downstream('ALARM', [
        { timestamp: minute(1), value: 80 },
        { timestamp: minute(2), value: 64 },
        { timestamp: minute(3), value: 4 },
      ]),
    );
    expect(alarmSchema.parse(alarm).episodeStart).toBe(minute(2));
  });

  it('cannot tell an episode out of ALARM or without datapoints, nor flaps without the history', () => {
    expect(toAlarm(ctx, downstream('OK', [{ timestamp: minute(1), value: 80 }])).episodeStart).toBeUndefined();
    expect(toAlarm(ctx, downstream('ALARM', [{ timestamp: minute(1) }])).episodeStart).toBeUndefined();
    expect(toAlarm(ctx, downstream('ALARM', [])).flapCount).toBeUndefined();
  });

  it('counts the state changes of the last 60 minutes from DescribeAlarmHistory when it was read', () => {
    const change = (m: number) => ({ timestamp: minute(m), from: 'OK' as const, to: 'ALARM' as const, reason: '' });
    expect(toAlarm(ctx, downstream('ALARM', []), [change(1), change(59), change(61)]).flapCount).toBe(2);
  });
});
