/**
 * The replays loop: replays archived events of a window (and optional source / detail-type
 * pattern) onto the bus, from a durable cursor. The console writes the replay rows (start,
 * cancel); every state change here names the state it leaves.
 */
import type { ArchiveRow, BusArchive } from './bus';
import type { EngineContext } from './engine-context';
import { NOT_DEAD_LETTERED_SQL } from './task-records';

export class Replays {
  private readonly activeReplays;
  private readonly replay;
  private readonly setReplayState;
  private readonly startReplay;
  private readonly replayProgress;
  private readonly options;

  constructor(
    private readonly ctx: EngineContext,
    private readonly bus: BusArchive,
  ) {
    const { db } = ctx;
    this.options = db.prepare<[string], { exclude_dead_lettered: number; rate: number | null }>(
      'SELECT exclude_dead_lettered, rate FROM replay_options WHERE name = ?',
    );
    this.activeReplays = db
      .prepare<[], string>("SELECT name FROM replays WHERE state IN ('STARTING', 'RUNNING', 'CANCELLING')")
      .pluck();
    this.replay = db.prepare<
      [string],
      {
        name: string;
        state: string;
        window_start: number;
        window_end: number;
        pattern: string | null;
        cursor_time: number | null;
        cursor_seq: number | null;
        started_at: number;
        events_replayed: number;
      }
    >(
      'SELECT name, state, window_start, window_end, pattern, cursor_time, cursor_seq, started_at, events_replayed FROM replays WHERE name = ?',
    );
    this.setReplayState = db.prepare(
      'UPDATE replays SET state = ?, ended_at = ?, state_reason = ? WHERE name = ? AND state = ?',
    );
    this.startReplay = db.prepare(
      "UPDATE replays SET state = 'RUNNING', events_total = ? WHERE name = ? AND state = 'STARTING'",
    );
    this.replayProgress = db.prepare(
      "UPDATE replays SET cursor_time = ?, cursor_seq = ?, last_replayed_time = ?, events_replayed = events_replayed + ? WHERE name = ? AND state = 'RUNNING'",
    );
  }

  /** One step of every active replay: read again and changed conditionally, as the redrives loop does. */
  async step(limit = 5000): Promise<number> {
    const names = this.activeReplays.all();
    let total = 0;
    for (const name of names) {
      total += await this.ctx.tx(() => {
        const r = this.replay.get(name);
        if (!r) return 0;
        const now = this.ctx.now();
        if (r.state === 'CANCELLING') {
          this.setReplayState.run('CANCELLED', now, 'cancelled by operator', r.name, 'CANCELLING');
          return 0;
        }
        if (r.state !== 'STARTING' && r.state !== 'RUNNING') return 0;
        const pattern = r.pattern ? (JSON.parse(r.pattern) as { source?: string[]; detailType?: string[] }) : null;
        const where = ['time >= ?', 'time < ?'];
        const params: (string | number)[] = [r.window_start, r.window_end];
        if (pattern?.source?.length) {
          where.push(`source IN (${pattern.source.map(() => '?').join(',')})`);
          params.push(...pattern.source);
        }
        if (pattern?.detailType?.length) {
          where.push(`detail_type IN (${pattern.detailType.map(() => '?').join(',')})`);
          params.push(...pattern.detailType);
        }
        const opt = this.options.get(r.name);
        if (opt?.exclude_dead_lettered) {
          where.push(NOT_DEAD_LETTERED_SQL);
          params.push(r.started_at);
        }
        // A rate (events/s) since the replay started: no burst beyond what the elapsed time allows.
        const allowed = opt?.rate
          ? Math.min(limit, Math.floor((opt.rate * Math.max(0, now - r.started_at)) / 1000) - r.events_replayed)
          : limit;
        if (r.state === 'STARTING') {
          const n =
            this.ctx.db
              .prepare<(string | number)[], { n: number }>(
                `SELECT count(*) AS n FROM archive WHERE ${where.join(' AND ')}`,
              )
              .get(...params)?.n ?? 0;
          if (this.startReplay.run(n, r.name).changes === 0) return 0;
        }
        if (allowed <= 0) return 0;
        const cursorWhere = r.cursor_time === null ? '' : ' AND (time > ? OR (time = ? AND seq > ?))';
        const cursorParams = r.cursor_time === null ? [] : [r.cursor_time, r.cursor_time, r.cursor_seq ?? 0];
        const rows = this.ctx.db
          .prepare<(string | number)[], ArchiveRow>(
            `SELECT seq, time, event_id, source, detail_type, transaction_id, body FROM archive WHERE ${where.join(' AND ')}${cursorWhere} ORDER BY time, seq LIMIT ?`,
          )
          .all(...params, ...cursorParams, allowed);
        if (rows.length > 0) {
          const last = rows[rows.length - 1]!;
          if (this.replayProgress.run(last.time, last.seq, last.time, rows.length, r.name).changes === 0) return 0;
          this.bus.putReplayed(rows, r.name);
        }
        if (rows.length < allowed) this.setReplayState.run('COMPLETED', now, null, r.name, 'RUNNING');
        return rows.length;
      });
    }
    return total;
  }
}
