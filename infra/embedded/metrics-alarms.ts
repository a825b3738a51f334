/**
 * The metrics + alarms loop: writes the counter metrics and processing durations the other loops
 * counted (metric-counters.ts) and the gauges of the current minute (queue depths, compensation
 * and downstream failure rates) every second, and evaluates every alarm every 10 seconds on the
 * complete minutes only (alarms.ts): the minute in progress never decides a state. A state change
 * records its episode's start (the first breaching minute's start) with it.
 */
import { alarmName } from '@/infra/platform/description';
import { evaluateAlarm, evaluationWindow, type AlarmStateValue } from './alarms';
import { BUS_DLQ, dlqOf } from './db';
import type { EngineContext } from './engine-context';
import { minuteOf, percentile } from './metric-counters';
import { LOCAL_ALARMS, NAMES, STAGE } from './names';
import { makeQueueStats } from './queries';
import type { Queues } from './queues';

export class MetricsAlarms {
  private lastFlushAt = 0;
  private lastAlarmAt = 0;
  private readonly queueStats;
  private readonly exactQueueStats;
  private readonly metricAdd;
  private readonly metricMax;
  private readonly metricSet;
  private readonly metricGet;
  private readonly metricRange;
  private readonly getAlarm;
  private readonly putAlarm;
  private readonly touchAlarm;
  private readonly alarmHistory;
  private readonly pruneMetrics;

  constructor(
    private readonly ctx: EngineContext,
    private readonly queues: Queues,
  ) {
    const { db } = ctx;
    this.queueStats = makeQueueStats(db);
    const exact = db.prepare<[number, number, string], { visible: number; inFlight: number; oldest: number | null }>(
      'SELECT coalesce(sum(visible_at <= ?), 0) AS visible, coalesce(sum(visible_at > ?), 0) AS inFlight, min(enqueued_at) AS oldest FROM messages WHERE queue = ?',
    );
    // Inside the seed's one long transaction queue_counts is written at its COMMIT only: count the rows.
    this.exactQueueStats = (queue: string, now: number) => {
      const r = exact.get(now, now, queue)!;
      const oldestAgeSeconds = r.oldest === null ? 0 : Math.max(0, Math.round((now - r.oldest) / 1000));
      return { visible: r.visible, inFlight: r.inFlight, oldestAgeSeconds };
    };
    this.metricAdd = db.prepare(
      'INSERT INTO metrics (metric, minute, value) VALUES (?, ?, ?) ON CONFLICT(metric, minute) DO UPDATE SET value = value + excluded.value',
    );
    this.metricMax = db.prepare(
      'INSERT INTO metrics (metric, minute, value) VALUES (?, ?, ?) ON CONFLICT(metric, minute) DO UPDATE SET value = max(value, excluded.value)',
    );
    this.metricSet = db.prepare(
      'INSERT INTO metrics (metric, minute, value) VALUES (?, ?, ?) ON CONFLICT(metric, minute) DO UPDATE SET value = excluded.value',
    );
    this.metricGet = db.prepare<[string, number], { value: number }>(
      'SELECT value FROM metrics WHERE metric = ? AND minute = ?',
    );
    this.metricRange = db.prepare<[string, number, number], { minute: number; value: number }>(
      'SELECT minute, value FROM metrics WHERE metric = ? AND minute BETWEEN ? AND ?',
    );
    this.getAlarm = db.prepare<[string], { state: AlarmStateValue; reason: string; episode_start: number | null }>(
      'SELECT state, reason, episode_start FROM alarms WHERE name = ?',
    );
    this.putAlarm = db.prepare(
      'INSERT INTO alarms (name, state, reason, since, evaluated_at, episode_start) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since, evaluated_at = excluded.evaluated_at, episode_start = excluded.episode_start',
    );
    this.touchAlarm = db.prepare('UPDATE alarms SET evaluated_at = ?, reason = ? WHERE name = ?');
    this.alarmHistory = db.prepare(
      'INSERT INTO alarm_history (name, at, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?)',
    );
    this.pruneMetrics = db.prepare('DELETE FROM metrics WHERE minute < ?');
  }

  /** The loop's timer: a flush every second, alarms every 10 seconds and at each new minute. */
  onTick(t: number): void {
    if (t - this.lastFlushAt >= 1000) this.flush();
    if (t - this.lastAlarmAt >= 10_000 || minuteOf(t) !== minuteOf(this.lastAlarmAt)) {
      if (minuteOf(this.lastFlushAt) !== minuteOf(t)) this.flush(); // gauges of the new minute first
      this.evaluate();
    }
  }

  /** Writes the accumulated metrics and the gauges of the current minute. */
  flush(): void {
    this.queues.adaptVisibilityTimeout();
    const now = this.ctx.now();
    const minute = minuteOf(now);
    const { counters } = this.ctx;
    const queueStats = this.ctx.db.inTransaction ? this.exactQueueStats : this.queueStats;
    const run = () => {
      // Inside a write transaction (the seed's), its counts are written with it: they and the
      // rows they count commit or roll back together.
      if (counters.current) counters.keep(counters.current);
      const touched = new Set<number>();
      for (const [id, byMinute] of counters.pendingSums)
        for (const [m, v] of byMinute) {
          this.metricAdd.run(id, m, v);
          if (m < minute) touched.add(m);
        }
      counters.pendingSums.clear();
      for (const [m, list] of counters.durations) {
        if (list.length === 0) continue;
        list.sort((a, b) => a - b);
        this.metricSet.run('processor.duration.p50', m, percentile(list, 50));
        this.metricSet.run('processor.duration.p99', m, percentile(list, 99));
        if (m < minute) counters.durations.delete(m);
        else if (list.length > 20_000)
          counters.durations.set(
            m,
            list.filter((_, i) => i % 2 === 0),
          );
      }
      for (const q of NAMES.queues) {
        const src = queueStats(q.id, now);
        const dlq = queueStats(dlqOf(q.id), now);
        this.metricMax.run(`queue.${q.id}.visible`, minute, src.visible);
        this.metricMax.run(`queue.${q.id}.inflight`, minute, src.inFlight);
        this.metricMax.run(`queue.${q.id}.oldest_age`, minute, src.oldestAgeSeconds);
        this.metricMax.run(`dlq.${q.id}.visible`, minute, dlq.visible);
        this.metricMax.run(`dlq.${q.id}.oldest_age`, minute, dlq.oldestAgeSeconds);
      }
      this.metricMax.run('bus.dlq.visible', minute, queueStats(BUS_DLQ, now).visible);
      // The rates of every minute whose counts this flush wrote, the minute just completed too:
      // its last counts arrive after its last flush, and the alarms evaluate it complete.
      for (const m of touched) this.writeRates(m);
      this.writeRates(minute);
    };

    if (this.ctx.db.inTransaction) run();
    else this.ctx.db.transaction(run).immediate();
    if (this.ctx.clockOffset === 0) this.ctx.putMeta.run('heartbeat', String(now));
    this.lastFlushAt = now;
  }

  /** The derived gauges of `minute`: compensation and downstream failure rates from its counts. */
  private writeRates(minute: number): void {
    const get = (id: string) => this.metricGet.get(id, minute)?.value ?? 0;
    const ended = get('saga.succeeded') + get('saga.compensated') + get('saga.failed');
    if (ended > 0) this.metricSet.run('saga.compensation_rate', minute, (100 * get('saga.compensated')) / ended);
    // A call the open circuit breaker rejects is a failed downstream interaction too: without
    // it, an outage that starts mid-minute would leave that minute under the alarm threshold.
    const rejected = get('downstream.rejected');
    const attempts = get('downstream.calls') + rejected;
    if (attempts > 0)
      this.metricSet.run('downstream.failure_rate', minute, (100 * (get('downstream.failures') + rejected)) / attempts);
  }

  /**
   * Evaluates every alarm on its last complete per-minute datapoints (the minute in progress
   * excluded). Entering ALARM records the episode's start: the start of the oldest breaching
   * minute of the window that raised it. It is kept after the episode ends (the last episode).
   */
  evaluate(): void {
    const now = this.ctx.now();
    const run = () => {
      for (const def of LOCAL_ALARMS) {
        const name = alarmName(STAGE, def.suffix);
        const { from, to } = evaluationWindow(def, now);
        const rows = this.metricRange.all(def.metricId, from, to);
        const byMinute = new Map(rows.map((r) => [r.minute, r.value]));
        const points = Array.from({ length: def.evaluationPeriods }, (_, i) => byMinute.get(from + i) ?? null);
        const current = this.getAlarm.get(name);
        const result = evaluateAlarm(def, points, current?.state ?? 'INSUFFICIENT_DATA');
        if (!current || current.state !== result.state) {
          const episodeStart =
            result.state === 'ALARM'
              ? (from + (result.firstBreaching ?? 0)) * 60_000
              : (current?.episode_start ?? null);
          this.putAlarm.run(name, result.state, result.reason, now, now, episodeStart);
          this.alarmHistory.run(name, now, current?.state ?? 'INSUFFICIENT_DATA', result.state, result.reason);
          this.ctx.log(`alarm ${name}: ${current?.state ?? 'INSUFFICIENT_DATA'} -> ${result.state}: ${result.reason}`);
        } else {
          this.touchAlarm.run(now, result.reason, name);
        }
      }
    };
    if (this.ctx.db.inTransaction) run();
    else this.ctx.db.transaction(run).immediate();
    this.lastAlarmAt = now;
  }

  /** Drops the datapoints older than `cutoff` (call inside the maintenance transaction). */
  prune(cutoff: number): void {
    this.pruneMetrics.run(minuteOf(cutoff));
  }
}
