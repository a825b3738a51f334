/**
 * CloudWatch alarm evaluation, as a pure function: the last `evaluationPeriods` datapoints
 * (oldest first; null = missing), threshold, comparison, datapoints to alarm (M of N) and the
 * treatment of missing data.
 */
import type { AlarmDefinition } from '@/infra/platform/description';

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export function breaches(def: Pick<AlarmDefinition, 'comparison' | 'threshold'>, v: number): boolean {
  switch (def.comparison) {
    case 'GreaterThanThreshold':
      return v > def.threshold;
    case 'GreaterThanOrEqualToThreshold':
      return v >= def.threshold;
    case 'LessThanThreshold':
      return v < def.threshold;
    case 'LessThanOrEqualToThreshold':
      return v <= def.threshold;
  }
}

const symbol: Record<AlarmDefinition['comparison'], string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

/**
 * Evaluates one alarm. `datapoints` has exactly `evaluationPeriods` entries.
 * Missing data: 'notBreaching' counts as good, 'breaching' as bad, 'ignore' keeps the current
 * state when every point is missing, 'missing' gives INSUFFICIENT_DATA when every point is missing.
 * With some (not all) points missing, 'ignore'/'missing' evaluate on the points present
 * (alarming needs datapointsToAlarm breaching points among them).
 */
export function evaluateAlarm(
  def: Pick<
    AlarmDefinition,
    'comparison' | 'threshold' | 'evaluationPeriods' | 'datapointsToAlarm' | 'treatMissingData' | 'metricId'
  >,
  datapoints: readonly (number | null)[],
  current: AlarmStateValue,
): { state: AlarmStateValue; reason: string } {
  if (datapoints.length !== def.evaluationPeriods)
    throw new RangeError(`expected ${def.evaluationPeriods} datapoints, got ${datapoints.length}`);
  const present = datapoints.filter((d): d is number => d !== null);
  const rendered = datapoints.map((d) => (d === null ? 'missing' : String(Math.round(d * 100) / 100))).join(', ');
  const cond = `${symbol[def.comparison]} ${def.threshold}`;
  if (present.length === 0) {
    if (def.treatMissingData === 'breaching')
      return {
        state: 'ALARM',
        reason: `no data for ${def.evaluationPeriods} period(s); missing data is treated as breaching`,
      };
    if (def.treatMissingData === 'notBreaching')
      return {
        state: 'OK',
        reason: `no data for ${def.evaluationPeriods} period(s); missing data is treated as not breaching`,
      };
    if (def.treatMissingData === 'ignore')
      return { state: current, reason: `no data; state kept (missing data ignored)` };
    return { state: 'INSUFFICIENT_DATA', reason: `no data for ${def.evaluationPeriods} period(s)` };
  }
  let bad = 0;
  for (const d of datapoints) {
    if (d === null) {
      if (def.treatMissingData === 'breaching') bad++;
    } else if (breaches(def, d)) bad++;
  }
  if (bad >= def.datapointsToAlarm) {
    return {
      state: 'ALARM',
      reason: `Threshold crossed: ${bad} of the last ${def.evaluationPeriods} datapoint(s) [${rendered}] of ${def.metricId} were ${cond} (${def.datapointsToAlarm} needed)`,
    };
  }
  return {
    state: 'OK',
    reason: `Threshold not crossed: ${bad} of the last ${def.evaluationPeriods} datapoint(s) [${rendered}] of ${def.metricId} were ${cond} (${def.datapointsToAlarm} needed to alarm)`,
  };
}
