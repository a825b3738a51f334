import 'server-only';
import {
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { DescribeEndpointCommand, DescribeEventBusCommand } from '@aws-sdk/client-eventbridge';
import { alarmName, alarmsFor, metricsFor, type MetricDefinition } from '../../../infra/platform/description';
import type { ListAlarmsInput, MetricQueryInput } from '../inputs.schema';
import {
  metricSeriesSchema,
  regionSchema,
  type Alarm,
  type AlarmHistoryItem,
  type MetricSeries,
  type Region,
} from '../platform.schema';
import { PlatformError } from '../port';
import { toAlarm, toAlarmHistoryItem } from './alarm-mappers';
import { iso, type Ctx } from './clients';
import { call } from './errors';

/** CloudWatch: DescribeAlarms ≤ 100 per page, GetMetricData ≤ 500 metrics per call. */
const ALARMS_PER_PAGE = 100;
const METRICS_PER_CALL = 500;

// ---------------------------------------------------------------- regions

/**
 * Regions and their health. With a global endpoint (production), health comes from the endpoint:
 * its state, and for the primary the `endpoint-health` alarm that drives its Route 53 failover.
 * Without one (single-region stages), the region is healthy when its bus answers.
 */
export async function listRegions(ctx: Ctx): Promise<Region[]> {
  const { config } = ctx;
  const regions = [config.primaryRegion, config.secondaryRegion].filter((r): r is string => r !== null);
  if (config.globalEndpoint) {
    const endpointName = config.globalEndpoint.name;
    const [endpoint, alarms] = await Promise.all([
      call(`DescribeEndpoint ${endpointName}`, () =>
        ctx.aws.events.send(new DescribeEndpointCommand({ Name: endpointName })),
      ),
      call('DescribeAlarms endpoint-health', () =>
        ctx.aws.cloudwatch.send(
          new DescribeAlarmsCommand({
            AlarmNames: [alarmName(config.stage, 'endpoint-health')],
            AlarmTypes: ['MetricAlarm'],
          }),
        ),
      ),
    ]);
    const active = endpoint.State === 'ACTIVE';
    const primaryAlarm = alarms.MetricAlarms?.[0]?.StateValue;
    return [...new Set(regions)].map((id) =>
      regionSchema.parse({
        id,
        primary: id === config.primaryRegion,
        healthy: id === config.primaryRegion ? active && primaryAlarm !== 'ALARM' : active,
      }),
    );
  }
  let healthy = true;
  try {
    await call(`DescribeEventBus ${config.bus.name}`, () =>
      ctx.aws.events.send(new DescribeEventBusCommand({ Name: config.bus.name })),
    );
  } catch (error) {
    if (error instanceof PlatformError && (error.code === 'Forbidden' || error.code === 'Throttled')) throw error;
    healthy = false;
  }
  return [regionSchema.parse({ id: config.region, primary: config.region === config.primaryRegion, healthy })];
}

// ---------------------------------------------------------------- alarms

/**
 * The stage's alarms, asked for BY NAME (the names come from the platform description, which
 * names every alarm the stacks create), never by AlarmNamePrefix: CloudWatch authorizes a prefix
 * listing on `alarm:*`, which the operator roles' `alarm:<prefix>-*` grant does not cover, while
 * named alarms are authorized one by one (test/iam evaluates both). Names the region does not
 * have are simply not returned.
 */
export async function listAlarms(ctx: Ctx, input: ListAlarmsInput): Promise<Alarm[]> {
  // This adapter speaks to one region's stack.
  if (input.region && input.region !== ctx.config.region) return [];
  const stage = ctx.config.stage;
  const names = [...new Set(alarmsFor(stage).map((a) => alarmName(stage, a.suffix)))];
  const out: Alarm[] = [];
  for (let i = 0; i < names.length; i += ALARMS_PER_PAGE) {
    const AlarmNames = names.slice(i, i + ALARMS_PER_PAGE);
    let token: string | undefined;
    do {
      const res = await call('DescribeAlarms', () =>
        ctx.aws.cloudwatch.send(
          new DescribeAlarmsCommand({
            AlarmNames,
            AlarmTypes: ['MetricAlarm'],
            MaxRecords: ALARMS_PER_PAGE,
            NextToken: token,
            ...(input.state ? { StateValue: input.state } : {}),
          }),
        ),
      );
      for (const a of res.MetricAlarms ?? []) out.push(toAlarm(ctx, a));
      token = res.NextToken;
    } while (token);
  }
  return out;
}

export async function getAlarm(ctx: Ctx, name: string): Promise<{ alarm: Alarm; history: AlarmHistoryItem[] } | null> {
  const res = await call(`DescribeAlarms ${name}`, () =>
    ctx.aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm'] })),
  );
  const found = res.MetricAlarms?.[0];
  if (!found) return null;
  const alarm = toAlarm(ctx, found);
  const history: AlarmHistoryItem[] = [];
  let token: string | undefined;
  // CloudWatch keeps about 30 days of history; 3 pages of 100 transitions is plenty for the console.
  for (let page = 0; page < 3; page++) {
    const h = await call(`DescribeAlarmHistory ${name}`, () =>
      ctx.aws.cloudwatch.send(
        new DescribeAlarmHistoryCommand({
          AlarmName: name,
          HistoryItemType: 'StateUpdate',
          ScanBy: 'TimestampDescending',
          MaxRecords: 100,
          NextToken: token,
        }),
      ),
    );
    for (const item of h.AlarmHistoryItems ?? []) history.push(toAlarmHistoryItem(ctx, name, item));
    token = h.NextToken;
    if (!token) break;
  }
  return { alarm, history };
}

// ---------------------------------------------------------------- metrics

/**
 * The CloudWatch dimensions of a metric definition. The description names the state machine and
 * the global endpoint; CloudWatch's dimensions want the state machine ARN and the endpoint id.
 */
export function dimensionsFor(ctx: Ctx, m: MetricDefinition): { Name: string; Value: string }[] {
  return Object.entries(m.dimensions).map(([Name, value]) => {
    if (Name === 'StateMachineArn') return { Name, Value: ctx.config.stateMachineArn };
    if (Name === 'EndpointId' && ctx.config.globalEndpoint?.id) return { Name, Value: ctx.config.globalEndpoint.id };
    return { Name, Value: value };
  });
}

const DAY_MS = 86_400_000;

/**
 * The period CloudWatch keeps for data starting at `startMs`: GetMetricData returns NO datapoints
 * when StartTime is more than 15 days ago and the period is not a multiple of 300, or more than
 * 63 days ago and not a multiple of 3600 (1-minute data is kept 15 days, 5-minute 63 days); a
 * standard-resolution period is a multiple of 60. The requested period is rounded UP to the next
 * multiple the start time's age allows (a coarser series, never an empty one). MetricSeries has
 * no field to say so (shared schema unchanged): the points' spacing shows the period used.
 */
export function cloudWatchPeriod(periodSeconds: number, startMs: number, nowMs: number): number {
  const age = nowMs - startMs;
  const step = age > 63 * DAY_MS ? 3600 : age > 15 * DAY_MS ? 300 : 60;
  return Math.max(step, Math.ceil(periodSeconds / step) * step);
}

export async function getMetricSeries(
  ctx: Ctx,
  input: Required<Pick<MetricQueryInput, 'periodSeconds'>> & MetricQueryInput,
): Promise<MetricSeries[]> {
  const definitions = metricsFor(ctx.config.stage);
  const wanted = [...new Set(input.metrics)].map((id) => {
    const def = definitions.find((d) => d.id === id);
    if (!def) throw new PlatformError('Invalid', `unknown metric id "${id}"`, 'metrics');
    return def;
  });
  const points = new Map<string, { t: number; v: number }[]>(wanted.map((d) => [d.id, []]));
  const period = cloudWatchPeriod(input.periodSeconds, Date.parse(input.from), ctx.now());
  for (let offset = 0; offset < wanted.length; offset += METRICS_PER_CALL) {
    const chunk = wanted.slice(offset, offset + METRICS_PER_CALL);
    const queries: MetricDataQuery[] = chunk.map((d, i) => ({
      Id: `m${offset + i}`,
      Label: d.id,
      ReturnData: true,
      MetricStat: {
        Metric: { Namespace: d.namespace, MetricName: d.metricName, Dimensions: dimensionsFor(ctx, d) },
        Period: period,
        Stat: d.stat,
      },
    }));
    let token: string | undefined;
    do {
      const res = await call('GetMetricData', () =>
        ctx.aws.cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: new Date(input.from),
            EndTime: new Date(input.to),
            ScanBy: 'TimestampAscending',
            NextToken: token,
          }),
        ),
      );
      for (const r of res.MetricDataResults ?? []) {
        const def = wanted[Number(r.Id?.slice(1))];
        if (!def) continue;
        const series = points.get(def.id) ?? [];
        (r.Timestamps ?? []).forEach((t, i) => {
          const v = r.Values?.[i];
          if (v !== undefined) series.push({ t: t.getTime(), v });
        });
      }
      token = res.NextToken;
    } while (token);
  }
  return wanted.map((d) =>
    metricSeriesSchema.parse({
      id: d.id,
      label: d.label,
      unit: d.unit,
      points: (points.get(d.id) ?? []).sort((a, b) => a.t - b.t).map((p) => ({ t: iso(p.t), v: p.v })),
    }),
  );
}
