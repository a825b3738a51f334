import 'server-only';
import type { AlarmHistoryItem as CloudWatchHistoryItem, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { alarmName, alarmsFor, metricsFor, namesFor } from '../../../infra/platform/description';
import {
  alarmHistoryItemSchema,
  alarmSchema,
  alarmStateSchema,
  type Alarm,
  type AlarmHistoryItem,
  type AlarmState,
} from '../platform.schema';
import { PlatformError } from '../port';
import { iso, type Ctx } from './clients';

/** CloudWatch alarms and their state history reshaped into the port's DTOs. No AWS calls. */

/** What the mappers read of the context: the stage, the region and the clock. */
type MapCtx = Pick<Ctx, 'config' | 'now'>;

const comparisons = {
  GreaterThanThreshold: 'GreaterThanThreshold',
  GreaterThanOrEqualToThreshold: 'GreaterThanOrEqualToThreshold',
  LessThanThreshold: 'LessThanThreshold',
  LessThanOrEqualToThreshold: 'LessThanOrEqualToThreshold',
  // Anomaly-detection bands, which our alarms do not use, read as their nearest simple form.
  GreaterThanUpperThreshold: 'GreaterThanThreshold',
  LessThanLowerThreshold: 'LessThanThreshold',
  LessThanLowerOrGreaterThanUpperThreshold: 'GreaterThanThreshold',
} as const;

function treatMissing(value: string | undefined): Alarm['treatMissingData'] {
  return value === 'notBreaching' || value === 'breaching' || value === 'ignore' ? value : 'missing';
}

function state(value: string | undefined): AlarmState {
  const parsed = alarmStateSchema.safeParse(value);
  if (!parsed.success) throw new PlatformError('Unavailable', `CloudWatch returned an unknown alarm state "${value}"`);
  return parsed.data;
}

/** How far back a state change counts towards an alarm's flap count (as the embedded platform's). */
const FLAP_WINDOW_MS = 60 * 60_000;

const breachesThreshold = (comparison: Alarm['comparison'], v: number, threshold: number) =>
  comparison.startsWith('Greater')
    ? comparison.includes('OrEqual')
      ? v >= threshold
      : v > threshold
    : comparison.includes('OrEqual')
      ? v <= threshold
      : v < threshold;

/**
 * While in ALARM: the start of the oldest breaching period among the datapoints that raised it
 * (StateReasonData's evaluatedDatapoints, period starts); null when CloudWatch gave none.
 */
function episodeStartOf(a: MetricAlarm, comparison: Alarm['comparison']): string | null {
  if (a.StateValue !== 'ALARM' || !a.StateReasonData) return null;
  try {
    const data = JSON.parse(a.StateReasonData) as {
      threshold?: number;
      evaluatedDatapoints?: { timestamp?: string; value?: number }[];
    };
    const threshold = data.threshold ?? a.Threshold ?? 0;
    const starts = (data.evaluatedDatapoints ?? [])
      .filter((d) => d.timestamp && d.value !== undefined && breachesThreshold(comparison, d.value, threshold))
      .map((d) => Date.parse(d.timestamp!))
      .filter((t) => Number.isFinite(t));
    return starts.length ? new Date(Math.min(...starts)).toISOString() : null;
  } catch {
    return null;
  }
}

/** `history` (DescribeAlarmHistory, when the caller read it) gives the flap count; without it, null. */
export function toAlarm(ctx: MapCtx, a: MetricAlarm, history?: readonly AlarmHistoryItem[]): Alarm {
  const { stage } = ctx.config;
  const prefix = `${namesFor(stage).prefix}-`;
  const name = a.AlarmName ?? '';
  const definition = alarmsFor(stage).find((d) => alarmName(stage, d.suffix) === name);
  const metricDef = definition ? metricsFor(stage).find((m) => m.id === definition.metricId) : undefined;
  const period =
    a.Period ?? a.Metrics?.find((m) => m.ReturnData !== false)?.MetricStat?.Period ?? definition?.periodSeconds ?? 60;
  const metric = a.MetricName
    ? {
        namespace: a.Namespace ?? '',
        name: a.MetricName,
        dimensions: Object.fromEntries((a.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? ''])),
        stat: a.ExtendedStatistic ?? a.Statistic ?? 'Average',
        periodSeconds: period,
      }
    : {
        // Metric-math alarm: describe it by the metric our description says it watches.
        namespace: metricDef?.namespace ?? 'metric-math',
        name: metricDef?.metricName ?? name,
        dimensions: metricDef?.dimensions ?? {},
        stat: metricDef?.stat ?? 'expression',
        periodSeconds: period,
      };
  const evaluationPeriods = a.EvaluationPeriods ?? 1;
  const comparison = comparisons[a.ComparisonOperator ?? 'GreaterThanThreshold'];
  const flapFrom = ctx.now() - FLAP_WINDOW_MS;
  return alarmSchema.parse({
    name,
    region: ctx.config.region,
    description: a.AlarmDescription ?? definition?.description ?? '',
    state: state(a.StateValue),
    reason: a.StateReason ?? '',
    since: iso(a.StateTransitionedTimestamp ?? a.StateUpdatedTimestamp ?? ctx.now()),
    threshold: a.Threshold ?? 0,
    comparison,
    evaluationPeriods,
    datapointsToAlarm: a.DatapointsToAlarm ?? evaluationPeriods,
    treatMissingData: treatMissing(a.TreatMissingData),
    metric,
    resource: definition?.resource ?? {
      kind: 'platform',
      id: name.startsWith(prefix) ? name.slice(prefix.length) : name,
    },
    // Absent (not null) when unknown: the port reads both as "cannot tell".
    episodeStart: episodeStartOf(a, comparison) ?? undefined,
    flapCount: history ? history.filter((h) => Date.parse(h.timestamp) >= flapFrom).length : undefined,
  });
}

interface HistoryData {
  oldState?: { stateValue?: string };
  newState?: { stateValue?: string; stateReason?: string };
}

/** One StateUpdate item of DescribeAlarmHistory for alarm `name`. */
export function toAlarmHistoryItem(ctx: MapCtx, name: string, item: CloudWatchHistoryItem): AlarmHistoryItem {
  let data: HistoryData = {};
  try {
    data = JSON.parse(item.HistoryData ?? '{}') as HistoryData;
  } catch {
    throw new PlatformError(
      'Unavailable',
      `alarm history of ${name} has unreadable HistoryData at ${item.Timestamp?.toISOString() ?? '?'}`,
    );
  }
  return alarmHistoryItemSchema.parse({
    timestamp: iso(item.Timestamp ?? ctx.now()),
    from: state(data.oldState?.stateValue),
    to: state(data.newState?.stateValue),
    reason: data.newState?.stateReason ?? item.HistorySummary ?? '',
  });
}
