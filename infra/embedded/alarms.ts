/**
 * CloudWatch alarm evaluation, as pure functions: which periods an evaluation reads (complete ones
 * only), and the decision on the last `evaluationPeriods` datapoints (oldest first; null =
 * missing) from threshold, comparison, datapoints to alarm (M of N) and the treatment of missing data.
 */
import type { AlarmDefinition } from '@/infra/platform/description';

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** How far back an alarm's state changes count towards its flap count. */
export const FLAP_WINDOW_MS = 60 * 60_000;

/**
 * The minutes (epoch minute numbers, oldest first) an evaluation at `now` reads: the last
 * `evaluationPeriods` complete 60 s periods. The minute in progress is never one of them, so a
 * datapoint still being filled can neither read as missing nor as 0 (CloudWatch evaluates
 * complete periods only).
 */
export function evaluationWindow(
  def: Pick<AlarmDefinition, 'evaluationPeriods' | 'periodSeconds'>,
  now: number,
): { from: number; to: number } {
  if (def.periodSeconds !== 60)
    throw new RangeError(`the embedded platform evaluates 60 s periods only, not ${def.periodSeconds} s`);
  const inProgress = Math.floor(now / 60_000);
  return { from: inProgress - def.evaluationPeriods, to: inProgress - 1 };
}

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

export interface AlarmEvaluation {
  state: AlarmStateValue;
  reason: string;
  /** Index of the oldest datapoint counted as breaching (missing ones included when they count), or null. */
  firstBreaching: number | null;
}

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
): AlarmEvaluation {
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
        firstBreaching: 0,
      };
    const firstBreaching = null;
    if (def.treatMissingData === 'notBreaching')
      return {
        state: 'OK',
        reason: `no data for ${def.evaluationPeriods} period(s); missing data is treated as not breaching`,
        firstBreaching,
      };
    if (def.treatMissingData === 'ignore')
      return { state: current, reason: `no data; state kept (missing data ignored)`, firstBreaching };
    return { state: 'INSUFFICIENT_DATA', reason: `no data for ${def.evaluationPeriods} period(s)`, firstBreaching };
  }
  let bad = 0;
  let firstBreaching: number | null = null;
  datapoints.forEach((d, i) => {
    if (d === null ? def.treatMissingData === 'breaching' : breaches(def, d)) {
      bad++;
      firstBreaching ??= i;
    }
  });
  if (bad >= def.datapointsToAlarm) {
    return {
      firstBreaching,
      state: 'ALARM',
      reason: `Threshold crossed: ${bad} of the last ${def.evaluationPeriods} datapoint(s) [${rendered}] of ${def.metricId} were ${cond} (${def.datapointsToAlarm} needed)`,
    };
  }
  return {
    firstBreaching,
    state: 'OK',
    reason: `Threshold not crossed: ${bad} of the last ${def.evaluationPeriods} datapoint(s) [${rendered}] of ${def.metricId} were ${cond} (${def.datapointsToAlarm} needed to alarm)`,
  };
}
