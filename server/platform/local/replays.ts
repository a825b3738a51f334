import 'server-only';
import { randomUUID } from 'node:crypto';
import { IDEMPOTENCY_TTL_HOURS } from '@/infra/platform/description';
import type { Caller } from '@/server/auth/permissions.schema';
import { NAMES } from '../../../infra/embedded/names';
import { MAX_ACTIVE_REPLAYS } from '../../../infra/platform/limits';
import type { ListPageInput, PreviewReplayInput, StartReplayInput } from '../inputs.schema';
import type { Archive, ArchivedEvent, EventPatternFilter, Page, Replay, ReplayPreview } from '../platform.schema';
import { PlatformError } from '../port';
import { iso, isoOrNull, type LocalContext } from './context';
import { clampLimit, decodeCursor, isNum, pageOf } from './paging';
import { classifyWindow, replayOutcome, type ReplayRow } from './replay-outcomes';

interface ArchiveRow {
  seq: number;
  event_id: string;
  time: number;
  source: string;
  detail_type: string;
  transaction_id: string | null;
  body: string;
}

/**
 * The archive and its replays: read from `archive` and `replays`; started and cancelled by
 * writing rows to `replays`, which the engine's replay loop picks up.
 */
export function createReplays(ctx: LocalContext) {
  const { db, region, now, immediate } = ctx;
  const s = {
    replay: db.prepare<[string], ReplayRow>('SELECT * FROM replays WHERE name = ?'),
    archiveStats: db.prepare<[string], { event_count: number; size_bytes: number }>(
      'SELECT event_count, size_bytes FROM archive_stats WHERE archive = ?',
    ),
    oldestArchived: db.prepare<[], { t: number | null }>('SELECT min(time) AS t FROM archive'),
    activeReplays: db.prepare<[], { n: number }>(
      "SELECT count(*) AS n FROM replays WHERE state IN ('STARTING', 'RUNNING', 'CANCELLING')",
    ),
    insertReplay: db.prepare(
      "INSERT INTO replays (name, archive, state, window_start, window_end, pattern, started_at, started_by) VALUES (?, ?, 'STARTING', ?, ?, ?, ?, ?)",
    ),
    cancelReplay: db.prepare(
      "UPDATE replays SET state = 'CANCELLING' WHERE name = ? AND state IN ('STARTING', 'RUNNING')",
    ),
    idem: db.prepare<[string], { status: string; expiry_time: number }>(
      'SELECT status, expiry_time FROM idempotency WHERE key = ?',
    ),
  };

  function toReplay(r: ReplayRow): Replay {
    return {
      name: r.name,
      archive: r.archive,
      region,
      state: r.state,
      window: { start: iso(r.window_start), end: iso(r.window_end) },
      pattern: r.pattern ? (JSON.parse(r.pattern) as EventPatternFilter) : null,
      lastReplayedTime: isoOrNull(r.last_replayed_time),
      eventsReplayed: r.events_replayed,
      eventsTotal: r.events_total,
      startedAt: iso(r.started_at),
      endedAt: isoOrNull(r.ended_at),
      startedBy: r.started_by,
      stateReason: r.state_reason,
      outcome: replayOutcome(db, r, now()),
    };
  }

  /** The archive rows a replay of `input` sends: its SQL condition and its window. */
  function replayWhere(input: PreviewReplayInput) {
    if (input.archive !== NAMES.archiveName)
      throw new PlatformError('NotFound', `archive ${input.archive} does not exist`, 'archive');
    const start = Date.parse(input.window.start);
    const end = Date.parse(input.window.end);
    if (!(start < end)) throw new PlatformError('Invalid', 'window.start must be before window.end', 'window.start');
    if (end > now() + 60_000) throw new PlatformError('Invalid', 'window.end must not be in the future', 'window.end');
    const where = ['time >= ?', 'time < ?'];
    const params: (string | number)[] = [start, end];
    if (input.pattern?.source?.length) {
      where.push(`source IN (${input.pattern.source.map(() => '?').join(',')})`);
      params.push(...input.pattern.source);
    }
    if (input.pattern?.detailType?.length) {
      where.push(`detail_type IN (${input.pattern.detailType.map(() => '?').join(',')})`);
      params.push(...input.pattern.detailType);
    }
    return { where: where.join(' AND '), params, start, end };
  }

  return {
    listArchives(): Archive[] {
      const st = s.archiveStats.get(NAMES.archiveName) ?? { event_count: 0, size_bytes: 0 };
      const oldest = s.oldestArchived.get()?.t ?? null;
      return [
        {
          name: NAMES.archiveName,
          region,
          sourceBus: NAMES.busName,
          eventCount: st.event_count,
          sizeBytes: st.size_bytes,
          retentionDays: 30,
          ingestionLagSeconds: 0,
          oldestEventAt: isoOrNull(oldest),
        },
      ];
    },

    listReplays(input: ListPageInput): Page<Replay> {
      const limit = clampLimit(input.limit);
      const after = decodeCursor(input.cursor, isNum);
      const rows = db
        .prepare<number[], ReplayRow>(
          `SELECT * FROM replays ${after !== null ? 'WHERE seq < ?' : ''} ORDER BY seq DESC LIMIT ?`,
        )
        .all(...(after !== null ? [after] : []), limit + 1);
      return pageOf(rows, limit, toReplay, (last) => last.seq);
    },

    getReplay(name: string): Replay | null {
      const r = s.replay.get(name);
      return r ? toReplay(r) : null;
    },

    previewReplay(input: PreviewReplayInput): ReplayPreview {
      const { where, params } = replayWhere(input);
      const count =
        db
          .prepare<(string | number)[], { n: number }>(`SELECT count(*) AS n FROM archive WHERE ${where}`)
          .get(...params)?.n ?? 0;
      const rows = db
        .prepare<(string | number)[], ArchiveRow>(
          `SELECT seq, event_id, time, source, detail_type, transaction_id, body FROM archive WHERE ${where} ORDER BY time DESC LIMIT 50`,
        )
        .all(...params);
      const nowSec = Math.floor(now() / 1000);
      let applied = 0;
      const sample: ArchivedEvent[] = rows.map((r) => {
        if (r.transaction_id) {
          const rec = s.idem.get(r.transaction_id);
          if (rec && rec.status === 'COMPLETED' && rec.expiry_time >= nowSec) applied++;
        }
        const detail = (JSON.parse(r.body) as { detail?: unknown }).detail;
        return {
          id: r.event_id,
          time: iso(r.time),
          source: r.source,
          detailType: r.detail_type,
          transactionId: r.transaction_id,
          detail: JSON.stringify(detail ?? null),
        };
      });
      return {
        count,
        sample,
        sampleAlreadyApplied: applied,
        idempotencyHorizon: iso(now() - IDEMPOTENCY_TTL_HOURS * 3_600_000),
        classification: classifyWindow(db, where, params, count, nowSec),
        supports: { excludeDeadLettered: true, rate: true, note: null },
      };
    },

    startReplay(caller: Caller, input: StartReplayInput): Replay {
      const { start, end } = replayWhere(input);
      const horizon = now() - IDEMPOTENCY_TTL_HOURS * 3_600_000;
      if (start < horizon)
        throw new PlatformError(
          'Invalid',
          `window.start is older than the idempotency horizon ${iso(horizon)}: replayed transactions could be applied twice`,
          'window.start',
        );
      const name =
        input.name ?? `replay-${new Date(now()).toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
      return immediate(() => {
        if (s.replay.get(name)) throw new PlatformError('Conflict', `a replay named ${name} already exists`, 'name');
        const active = s.activeReplays.get()?.n ?? 0;
        if (active >= MAX_ACTIVE_REPLAYS)
          throw new PlatformError(
            'Throttled',
            `${active} replays are active; at most ${MAX_ACTIVE_REPLAYS} may run at once`,
            undefined,
            30,
          );
        const pattern =
          input.pattern && (input.pattern.source?.length || input.pattern.detailType?.length)
            ? JSON.stringify(input.pattern)
            : null;
        s.insertReplay.run(name, input.archive, start, end, pattern, now(), caller.id);
        if (input.excludeDeadLettered || input.rate !== undefined) {
          db.prepare('INSERT INTO replay_options (name, exclude_dead_lettered, rate) VALUES (?, ?, ?)').run(
            name,
            input.excludeDeadLettered ? 1 : 0,
            input.rate ?? null,
          );
        }
        return toReplay(s.replay.get(name)!);
      });
    },

    cancelReplay(name: string): Replay {
      return immediate(() => {
        const r = s.replay.get(name);
        if (!r) throw new PlatformError('NotFound', `replay ${name} does not exist`, 'name');
        if (r.state !== 'STARTING' && r.state !== 'RUNNING')
          throw new PlatformError(
            'Conflict',
            `replay ${name} is ${r.state}: only a STARTING or RUNNING replay can be cancelled`,
            'name',
          );
        s.cancelReplay.run(name);
        return toReplay(s.replay.get(name)!);
      });
    },
  };
}
