import { describe, expect, it } from 'vitest';
import { evaluateAlarm } from './alarms';

const def = {
  metricId: 'processor.errors',
  comparison: 'GreaterThanThreshold' as const,
  threshold: 5,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  treatMissingData: 'notBreaching' as const,
};

describe('CloudWatch alarm evaluation', () => {
  it('alarms when M of the last N datapoints breach', () => {
    expect(evaluateAlarm(def, [6, 1, 9], 'OK').state).toBe('ALARM');
    expect(evaluateAlarm(def, [6, 1, 2], 'ALARM').state).toBe('OK');
  });
  it('treats missing data as configured', () => {
    expect(evaluateAlarm(def, [null, null, null], 'ALARM').state).toBe('OK');
    expect(evaluateAlarm({ ...def, treatMissingData: 'breaching' }, [null, 9, 1], 'OK').state).toBe('ALARM');
    expect(evaluateAlarm({ ...def, treatMissingData: 'missing' }, [null, null, null], 'OK').state).toBe(
      'INSUFFICIENT_DATA',
    );
    expect(evaluateAlarm({ ...def, treatMissingData: 'ignore' }, [null, null, null], 'ALARM').state).toBe('ALARM');
  });
  it('explains the decision with the datapoints', () => {
    expect(evaluateAlarm(def, [6, null, 9], 'OK').reason).toMatch(/2 of the last 3 datapoint\(s\) \[6, missing, 9\]/);
  });
  it('honours the less-than comparisons', () => {
    const low = {
      ...def,
      comparison: 'LessThanThreshold' as const,
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    };
    expect(evaluateAlarm(low, [0], 'OK').state).toBe('ALARM');
    expect(evaluateAlarm(low, [3], 'ALARM').state).toBe('OK');
  });
});
