import 'server-only';
import { alarmName, metricsFor, type AlarmDefinition } from '@/infra/platform/description';
import { FLAP_WINDOW_MS } from '../../../infra/embedded/alarms';
import { LOCAL_ALARMS } from '../../../infra/embedded/names';
import type { ListAlarmsInput, MetricQueryInput } from '../inputs.schema';
import type { Alarm, AlarmHistoryItem, MetricSeries, Region } from '../platform.schema';
import { PlatformError } from '../port';
import { iso, type LocalContext } from './context';

/** The engine writes a heartbeat every second; older than this and the region is unhealthy. */
const HEARTBEAT_STALE_MS = 15_000;

type AlarmRow = { name: string; state: Alarm['state']; reason: string; since: number; episode_start: number | null };

/** Health, regions, alarms and metric series of the embedded platform. */
export function createObservability(ctx: LocalContext) {
  const { db, region, now } = ctx;
  const metricDefs = new Map(metricsFor('local').map((m) => [m.id, m]));
  const alarmDefs = new Map<string, AlarmDefinition>(LOCAL_ALARMS.map((a) => [alarmName('local', a.suffix), a]));
  const s = {
    alarms: db.prepare<[], AlarmRow>('SELECT name, state, reason, since, episode_start FROM alarms'),
    alarm: db.prepare<[string], AlarmRow>(
      'SELECT name, state, reason, since, episode_start FROM alarms WHERE name = ?',
    ),
    flaps: db.prepare<[number], { name: string; n: number }>(
      'SELECT name, count(*) AS n FROM alarm_history WHERE at >= ? GROUP BY name',
    ),
    history: db.prepare<[string], { at: number; from_state: Alarm['state']; to_state: Alarm['state']; reason: string }>(
      'SELECT at, from_state, to_state, reason FROM alarm_history WHERE name = ? ORDER BY at DESC, id DESC LIMIT 100',
    ),
    metricRange: db.prepare<[string, number, number], { minute: number; value: number }>(
      'SELECT minute, value FROM metrics WHERE metric = ? AND minute BETWEEN ? AND ? ORDER BY minute',
    ),
  };
  const heartbeat = () => Number(ctx.meta('heartbeat') ?? 0);
  const notEvaluated = (name: string): AlarmRow => ({
    name,
    state: 'INSUFFICIENT_DATA',
    reason: 'not evaluated yet (engine not started)',
    since: 0,
    episode_start: null,
  });
  /** State changes per alarm in the last FLAP_WINDOW_MS (alarm_history, index on name and time). */
  const flapCounts = () => new Map(s.flaps.all(now() - FLAP_WINDOW_MS).map((r) => [r.name, r.n]));

  function toAlarm(row: AlarmRow, def: AlarmDefinition, flaps: Map<string, number>): Alarm {
    const m = metricDefs.get(def.metricId);
    return {
      name: row.name,
      region,
      description: def.description,
      state: row.state,
      reason: row.reason,
      since: iso(row.since),
      threshold: def.threshold,
      comparison: def.comparison,
      evaluationPeriods: def.evaluationPeriods,
      datapointsToAlarm: def.datapointsToAlarm,
      treatMissingData: def.treatMissingData,
      metric: {
        namespace: m?.namespace ?? 'Ledgerline',
        name: m?.metricName ?? def.metricId,
        dimensions: m?.dimensions ?? {},
        stat: m?.stat ?? 'Sum',
        periodSeconds: def.periodSeconds,
      },
      resource: def.resource,
      episodeStart: row.episode_start === null ? null : iso(row.episode_start),
      flapCount: flaps.get(row.name) ?? 0,
    };
  }

  return {
    ping(): { ok: boolean; detail: string } {
      try {
        const hb = heartbeat();
        const age = now() - hb;
        const engine =
          hb === 0
            ? 'engine has not started yet'
            : age > HEARTBEAT_STALE_MS
              ? `engine heartbeat ${Math.round(age / 1000)} s old`
              : 'engine running';
        // The database answering is not enough: without a live engine nothing is processed.
        return { ok: hb > 0 && age <= HEARTBEAT_STALE_MS, detail: `embedded platform (SQLite): ${engine}` };
      } catch (e) {
        return { ok: false, detail: `embedded platform database unreadable: ${(e as Error).message}` };
      }
    },

    listRegions(): Region[] {
      const hb = heartbeat();
      return [{ id: region, primary: true, healthy: hb > 0 && now() - hb <= HEARTBEAT_STALE_MS }];
    },

    listAlarms(input: ListAlarmsInput): Alarm[] {
      if (input.region && input.region !== region) return [];
      const rows = new Map(s.alarms.all().map((r) => [r.name, r]));
      const flaps = flapCounts();
      const out: Alarm[] = [];
      for (const [name, def] of alarmDefs) {
        const row = rows.get(name) ?? notEvaluated(name);
        if (input.state && row.state !== input.state) continue;
        out.push(toAlarm(row, def, flaps));
      }
      return out;
    },

    getAlarm(name: string): { alarm: Alarm; history: AlarmHistoryItem[] } | null {
      const def = alarmDefs.get(name);
      if (!def) return null;
      const row = s.alarm.get(name) ?? notEvaluated(name);
      const history = s.history
        .all(name)
        .map((h) => ({ timestamp: iso(h.at), from: h.from_state, to: h.to_state, reason: h.reason }));
      return { alarm: toAlarm(row, def, flapCounts()), history };
    },

    getMetricSeries(input: MetricQueryInput): MetricSeries[] {
      const from = Date.parse(input.from);
      const to = Date.parse(input.to);
      if (!(from < to)) throw new PlatformError('Invalid', 'from must be before to', 'from');
      const period = input.periodSeconds ?? 60;
      if (period % 60 !== 0)
        throw new PlatformError('Invalid', 'periodSeconds must be a multiple of 60', 'periodSeconds');
      const per = period / 60;
      if ((to - from) / 60_000 / per > 1440)
        throw new PlatformError('Invalid', 'at most 1440 datapoints per series: widen periodSeconds', 'periodSeconds');
      return input.metrics.map((id) => {
        const def = metricDefs.get(id);
        if (!def) throw new PlatformError('Invalid', `unknown metric id ${id}`, 'metrics');
        const rows = s.metricRange.all(id, Math.floor(from / 60_000), Math.ceil(to / 60_000) - 1);
        const buckets = new Map<number, number[]>();
        for (const r of rows) {
          const b = Math.floor(r.minute / per) * per;
          const list = buckets.get(b) ?? [];
          list.push(r.value);
          buckets.set(b, list);
        }
        const points = [...buckets.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([b, vals]) => {
            const v =
              def.stat === 'Sum'
                ? vals.reduce((x, y) => x + y, 0)
                : def.stat === 'Average'
                  ? vals.reduce((x, y) => x + y, 0) / vals.length
                  : Math.max(...vals);
            return { t: iso(b * 60_000), v };
          });
        return { id, label: def.label, unit: def.unit, points };
      });
    },
  };
}
