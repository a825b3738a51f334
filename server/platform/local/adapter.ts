import 'server-only';
/**
 * The local adapter: the whole Platform port on the embedded platform's SQLite database.
 * It reads directly (own connection, busy_timeout) and writes operators' commands as rows
 * the engine process picks up (redrive_tasks, replays, sagas.next_run_at). It never runs the
 * engine's loops itself, so the console stays fast whatever the load.
 */
import { randomUUID } from 'node:crypto';
import {
  alarmName,
  IDEMPOTENCY_TTL_HOURS,
  MAX_RECEIVE_COUNT,
  metricsFor,
  primaryRegion,
  queuePairs,
  type AlarmDefinition,
} from '@/infra/platform/description';
import type { Transaction } from '@/infra/runtime/transaction';
import { can, type Caller, type Permission } from '@/server/auth/permissions.schema';
import { dlqOf, openDatabase, type Db } from '../../../infra/embedded/db';
import { LOCAL_ALARMS, NAMES, type SagaCursor } from '../../../infra/embedded/names';
import { makeQueueStats } from '../../../infra/embedded/queries';
import { planCommand } from '../../../infra/embedded/saga-commands';
import { decodeTimeline, encodeTimeline } from '../../../infra/embedded/saga-timeline';
import { MAX_ACTIVE_REPLAYS, MAX_REDRIVE_RATE } from '../../../infra/platform/limits';
import type { SagaStatus } from '../../../infra/saga/definition';
import type {
  CompensateInput,
  ListAlarmsInput,
  ListDeadLettersInput,
  ListPageInput,
  ListSagasInput,
  MetricQueryInput,
  PreviewReplayInput,
  StartRedriveInput,
  StartReplayInput,
} from '../inputs.schema';
import type {
  Alarm,
  AlarmHistoryItem,
  Archive,
  ArchivedEvent,
  CompensationPreview,
  DeadLetterMessage,
  EventPatternFilter,
  LedgerSummary,
  MetricSeries,
  Page,
  QueuePair,
  RedriveTask,
  Region,
  Replay,
  ReplayPreview,
  SagaDetail,
  SagaSummary,
} from '../platform.schema';
import { PlatformError, type Platform } from '../port';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
/** The engine writes a heartbeat every second; older than this and the region is unhealthy. */
const HEARTBEAT_STALE_MS = 15_000;

function encodeCursor(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}
function decodeCursor<T>(c: string | undefined, check: (v: unknown) => v is T): T | null {
  if (c === undefined) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (check(v)) return v;
  } catch {
    // fall through: reported below with the field name
  }
  throw new PlatformError('Invalid', 'cursor is not a cursor this server issued', 'cursor');
}
const isPair = (v: unknown): v is [number, number] =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number');
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
function clampLimit(limit: unknown): number {
  const n = limit === undefined ? 50 : typeof limit === 'string' ? Number(limit) : limit;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 200)
    throw new PlatformError('Invalid', 'limit must be an integer between 1 and 200', 'limit');
  return n;
}

interface RedriveRow {
  seq: number;
  id: string;
  queue_id: string;
  status: RedriveTask['status'];
  moved: number;
  total: number;
  rate: number | null;
  selection: 'all' | 'selected';
  started_at: number;
  ended_at: number | null;
  started_by: string | null;
  failure_reason: string | null;
}
interface ReplayRow {
  seq: number;
  name: string;
  archive: string;
  state: Replay['state'];
  window_start: number;
  window_end: number;
  pattern: string | null;
  last_replayed_time: number | null;
  events_replayed: number;
  events_total: number | null;
  started_at: number;
  ended_at: number | null;
  started_by: string | null;
  state_reason: string | null;
}
interface SagaRow {
  seq: number;
  id: string;
  transaction_id: string;
  status: SagaStatus;
  started_at: number;
  ended_at: number | null;
  failed_step: string | null;
  error: string | null;
  amount: number;
  currency: string;
}
interface SagaFullRow extends SagaRow {
  input: string;
  steps: string;
  cursor: string;
  next_run_at: number | null;
}
interface DeadRow {
  id: number;
  queue: string;
  body: string;
  attributes: string;
  receive_count: number;
  source_queue: string | null;
  last_error: string | null;
  sent_at: number;
  enqueued_at: number;
  transaction_id: string | null;
}

export interface LocalPlatformOptions {
  dataDir: string;
  region?: string;
  /** Clock override (tests). */
  clock?: () => number;
}

class LocalPlatform implements Platform {
  readonly kind = 'local' as const;
  readonly db: Db;
  private readonly region: string;
  private readonly now: () => number;
  private readonly queueStats;
  private readonly metricDefs = new Map(metricsFor('local').map((m) => [m.id, m]));
  private readonly alarmDefs = new Map<string, AlarmDefinition>(
    LOCAL_ALARMS.map((a) => [alarmName('local', a.suffix), a]),
  );
  private readonly s;

  constructor(opts: LocalPlatformOptions) {
    this.db = openDatabase(opts.dataDir);
    this.region = opts.region ?? primaryRegion;
    this.now = opts.clock ?? Date.now;
    this.queueStats = makeQueueStats(this.db);
    const db = this.db;
    this.s = {
      meta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      alarms: db.prepare<[], { name: string; state: Alarm['state']; reason: string; since: number }>(
        'SELECT name, state, reason, since FROM alarms',
      ),
      alarm: db.prepare<[string], { name: string; state: Alarm['state']; reason: string; since: number }>(
        'SELECT name, state, reason, since FROM alarms WHERE name = ?',
      ),
      history: db.prepare<
        [string],
        { at: number; from_state: Alarm['state']; to_state: Alarm['state']; reason: string }
      >(
        'SELECT at, from_state, to_state, reason FROM alarm_history WHERE name = ? ORDER BY at DESC, id DESC LIMIT 100',
      ),
      redrive: db.prepare<[string], RedriveRow>('SELECT * FROM redrive_tasks WHERE id = ?'),
      replay: db.prepare<[string], ReplayRow>('SELECT * FROM replays WHERE name = ?'),
      saga: db.prepare<[string], SagaFullRow>('SELECT * FROM sagas WHERE id = ?'),
      archiveStats: db.prepare<[string], { event_count: number; size_bytes: number }>(
        'SELECT event_count, size_bytes FROM archive_stats WHERE archive = ?',
      ),
      oldestArchived: db.prepare<[], { t: number | null }>('SELECT min(time) AS t FROM archive'),
      queueTotal: db.prepare<[string], { total: number }>('SELECT total FROM queue_counts WHERE queue = ?'),
      maxDlqId: db.prepare<[string], { id: number | null }>('SELECT max(id) AS id FROM messages WHERE queue = ?'),
      dlqLastArrival: db.prepare<[string], { at: number | null }>(
        'SELECT max(enqueued_at) AS at FROM messages WHERE queue = ?',
      ),
      dlqArrivedBy: db.prepare<[string, number], { n: number }>(
        'SELECT count(*) AS n FROM messages WHERE queue = ? AND enqueued_at <= ?',
      ),
      insertRedrive: db.prepare(
        "INSERT INTO redrive_tasks (id, queue_id, status, moved, total, rate, selection, message_ids, cutoff_id, started_at, started_by) VALUES (?, ?, 'RUNNING', 0, ?, ?, ?, ?, ?, ?, ?)",
      ),
      cancelRedrive: db.prepare("UPDATE redrive_tasks SET status = 'CANCELLING' WHERE id = ? AND status = 'RUNNING'"),
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
      ledger: db.prepare<[], { accounts: number; total: number | null; held: number | null; holds: number | null }>(
        'SELECT count(*) AS accounts, sum(balance) AS total, sum(held) AS held, sum(open_holds) AS holds FROM accounts',
      ),
      updateSaga: db.prepare(
        'UPDATE sagas SET status = ?, steps = ?, cursor = ?, next_run_at = ?, failed_step = ?, error = ?, ended_at = NULL WHERE id = ? AND status = ?',
      ),
      sagaCount: db.prepare(
        'INSERT INTO saga_counts (status, total) VALUES (?, ?) ON CONFLICT(status) DO UPDATE SET total = total + excluded.total',
      ),
      metricRange: db.prepare<[string, number, number], { minute: number; value: number }>(
        'SELECT minute, value FROM metrics WHERE metric = ? AND minute BETWEEN ? AND ? ORDER BY minute',
      ),
    };
  }

  private authorize(caller: Caller, permission: Permission): void {
    if (!can(caller.role, permission))
      throw new PlatformError('Forbidden', `role ${caller.role} may not ${permission}`);
  }

  async ping(): Promise<{ ok: boolean; detail: string }> {
    try {
      const hb = Number(this.s.meta.get('heartbeat')?.value ?? 0);
      const age = this.now() - hb;
      const engine =
        hb === 0
          ? 'engine has not started yet'
          : age > HEARTBEAT_STALE_MS
            ? `engine heartbeat ${Math.round(age / 1000)} s old`
            : 'engine running';
      // The database answering is not enough: without a live engine nothing is processed.
      return Promise.resolve({
        ok: hb > 0 && age <= HEARTBEAT_STALE_MS,
        detail: `embedded platform (SQLite): ${engine}`,
      });
    } catch (e) {
      return Promise.resolve({ ok: false, detail: `embedded platform database unreadable: ${(e as Error).message}` });
    }
  }

  // ------------------------------------------------------------------ read
  async listRegions(caller: Caller): Promise<Region[]> {
    this.authorize(caller, 'platform.read');
    const hb = Number(this.s.meta.get('heartbeat')?.value ?? 0);
    return Promise.resolve([
      { id: this.region, primary: true, healthy: hb > 0 && this.now() - hb <= HEARTBEAT_STALE_MS },
    ]);
  }

  private toAlarm(
    row: { name: string; state: Alarm['state']; reason: string; since: number },
    def: AlarmDefinition,
  ): Alarm {
    const m = this.metricDefs.get(def.metricId);
    return {
      name: row.name,
      region: this.region,
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
    };
  }

  async listAlarms(caller: Caller, input: ListAlarmsInput): Promise<Alarm[]> {
    this.authorize(caller, 'platform.read');
    if (input.region && input.region !== this.region) return Promise.resolve([]);
    const rows = new Map(this.s.alarms.all().map((r) => [r.name, r]));
    const out: Alarm[] = [];
    for (const [name, def] of this.alarmDefs) {
      const row = rows.get(name) ?? {
        name,
        state: 'INSUFFICIENT_DATA' as const,
        reason: 'not evaluated yet (engine not started)',
        since: 0,
      };
      if (input.state && row.state !== input.state) continue;
      out.push(this.toAlarm(row, def));
    }
    return Promise.resolve(out);
  }

  async getAlarm(caller: Caller, name: string): Promise<{ alarm: Alarm; history: AlarmHistoryItem[] } | null> {
    this.authorize(caller, 'platform.read');
    const def = this.alarmDefs.get(name);
    if (!def) return Promise.resolve(null);
    const row = this.s.alarm.get(name) ?? {
      name,
      state: 'INSUFFICIENT_DATA' as const,
      reason: 'not evaluated yet (engine not started)',
      since: 0,
    };
    const history = this.s.history
      .all(name)
      .map((h) => ({ timestamp: iso(h.at), from: h.from_state, to: h.to_state, reason: h.reason }));
    return Promise.resolve({ alarm: this.toAlarm(row, def), history });
  }

  async listQueuePairs(caller: Caller): Promise<QueuePair[]> {
    this.authorize(caller, 'platform.read');
    const now = this.now();
    return Promise.resolve(
      NAMES.queues.map((q) => ({
        id: q.id,
        region: this.region,
        source: { name: q.source, ...this.queueStats(q.id, now) },
        dlq: { name: q.dlq, ...this.queueStats(dlqOf(q.id), now) },
        maxReceiveCount: MAX_RECEIVE_COUNT,
      })),
    );
  }

  private requireQueue(queueId: string, field = 'queueId'): void {
    if (!queuePairs.some((q) => q.id === queueId))
      throw new PlatformError('NotFound', `queue pair ${queueId} does not exist`, field);
  }

  async listDeadLetters(caller: Caller, input: ListDeadLettersInput): Promise<Page<DeadLetterMessage>> {
    this.authorize(caller, 'platform.read');
    this.requireQueue(input.queueId);
    const limit = clampLimit(input.limit);
    const after = decodeCursor(input.cursor, isPair);
    const where = ['queue = ?'];
    const params: (string | number)[] = [dlqOf(input.queueId)];
    if (after) {
      where.push('(enqueued_at < ? OR (enqueued_at = ? AND id < ?))');
      params.push(after[0], after[0], after[1]);
    }
    const search = input.search?.trim();
    if (search) {
      where.push("(transaction_id = ? OR last_error LIKE ? ESCAPE '\\')");
      params.push(search, `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const rows = this.db
      .prepare<(string | number)[], DeadRow>(
        `SELECT id, queue, body, attributes, receive_count, source_queue, last_error, sent_at, enqueued_at, transaction_id FROM messages WHERE ${where.join(' AND ')} ORDER BY enqueued_at DESC, id DESC LIMIT ?`,
      )
      .all(...params, limit + 1);
    const items = rows.slice(0, limit).map((r): DeadLetterMessage => ({
      id: String(r.id),
      queueId: input.queueId,
      body: r.body,
      attributes: JSON.parse(r.attributes) as Record<string, string>,
      receiveCount: r.receive_count,
      sourceQueue:
        NAMES.queues.find((q) => q.id === (r.source_queue ?? input.queueId))?.source ?? r.source_queue ?? input.queueId,
      lastError: r.last_error,
      sentAt: iso(r.sent_at),
      deadLetteredAt: iso(r.enqueued_at),
      transactionId: r.transaction_id,
    }));
    const last = rows[limit - 1];
    return Promise.resolve({
      items,
      nextCursor: rows.length > limit && last ? encodeCursor([last.enqueued_at, last.id]) : null,
    });
  }

  private toRedrive(r: RedriveRow): RedriveTask {
    return {
      id: r.id,
      queueId: r.queue_id,
      region: this.region,
      status: r.status,
      moved: r.moved,
      total: r.total,
      rate: r.rate,
      selection: r.selection,
      startedAt: iso(r.started_at),
      endedAt: isoOrNull(r.ended_at),
      startedBy: r.started_by,
      failureReason: r.failure_reason,
    };
  }

  async listRedrives(caller: Caller, input: ListPageInput & { queueId?: string }): Promise<Page<RedriveTask>> {
    this.authorize(caller, 'platform.read');
    const limit = clampLimit(input.limit);
    const after = decodeCursor(input.cursor, isNum);
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (input.queueId) {
      where.push('queue_id = ?');
      params.push(input.queueId);
    }
    if (after !== null) {
      where.push('seq < ?');
      params.push(after);
    }
    const rows = this.db
      .prepare<(string | number)[], RedriveRow>(
        `SELECT * FROM redrive_tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
      )
      .all(...params, limit + 1);
    const last = rows[limit - 1];
    return Promise.resolve({
      items: rows.slice(0, limit).map((r) => this.toRedrive(r)),
      nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null,
    });
  }

  async getRedrive(caller: Caller, id: string): Promise<RedriveTask | null> {
    this.authorize(caller, 'platform.read');
    const r = this.s.redrive.get(id);
    return Promise.resolve(r ? this.toRedrive(r) : null);
  }

  async listArchives(caller: Caller): Promise<Archive[]> {
    this.authorize(caller, 'platform.read');
    const st = this.s.archiveStats.get(NAMES.archiveName) ?? { event_count: 0, size_bytes: 0 };
    const oldest = this.s.oldestArchived.get()?.t ?? null;
    return Promise.resolve([
      {
        name: NAMES.archiveName,
        region: this.region,
        sourceBus: NAMES.busName,
        eventCount: st.event_count,
        sizeBytes: st.size_bytes,
        retentionDays: 30,
        ingestionLagSeconds: 0,
        oldestEventAt: isoOrNull(oldest),
      },
    ]);
  }

  private toReplay(r: ReplayRow): Replay {
    return {
      name: r.name,
      archive: r.archive,
      region: this.region,
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
    };
  }

  async listReplays(caller: Caller, input: ListPageInput): Promise<Page<Replay>> {
    this.authorize(caller, 'platform.read');
    const limit = clampLimit(input.limit);
    const after = decodeCursor(input.cursor, isNum);
    const rows = this.db
      .prepare<number[], ReplayRow>(
        `SELECT * FROM replays ${after !== null ? 'WHERE seq < ?' : ''} ORDER BY seq DESC LIMIT ?`,
      )
      .all(...(after !== null ? [after] : []), limit + 1);
    const last = rows[limit - 1];
    return Promise.resolve({
      items: rows.slice(0, limit).map((r) => this.toReplay(r)),
      nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null,
    });
  }

  async getReplay(caller: Caller, name: string): Promise<Replay | null> {
    this.authorize(caller, 'platform.read');
    const r = this.s.replay.get(name);
    return Promise.resolve(r ? this.toReplay(r) : null);
  }

  private toSummary(r: SagaRow): SagaSummary {
    return {
      id: r.id,
      transactionId: r.transaction_id,
      region: this.region,
      status: r.status,
      startedAt: iso(r.started_at),
      endedAt: isoOrNull(r.ended_at),
      failedStep: r.failed_step,
      error: r.error,
      amount: r.amount,
      currency: r.currency,
    };
  }

  async listSagas(caller: Caller, input: ListSagasInput): Promise<Page<SagaSummary>> {
    this.authorize(caller, 'platform.read');
    const limit = clampLimit(input.limit);
    const desc = (input.sort ?? 'startedAt:desc') === 'startedAt:desc';
    const after = decodeCursor(input.cursor, isPair);
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (input.status) {
      where.push('status = ?');
      params.push(input.status);
    }
    if (input.transactionId) {
      where.push('id = ?');
      params.push(input.transactionId);
    }
    if (input.from) {
      where.push('started_at >= ?');
      params.push(Date.parse(input.from));
    }
    if (input.to) {
      where.push('started_at < ?');
      params.push(Date.parse(input.to));
    }
    if (after) {
      where.push(
        desc ? '(started_at < ? OR (started_at = ? AND seq < ?))' : '(started_at > ? OR (started_at = ? AND seq > ?))',
      );
      params.push(after[0], after[0], after[1]);
    }
    const dir = desc ? 'DESC' : 'ASC';
    const rows = this.db
      .prepare<(string | number)[], SagaRow>(
        `SELECT seq, id, transaction_id, status, started_at, ended_at, failed_step, error, amount, currency FROM sagas ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at ${dir}, seq ${dir} LIMIT ?`,
      )
      .all(...params, limit + 1);
    const last = rows[limit - 1];
    return Promise.resolve({
      items: rows.slice(0, limit).map((r) => this.toSummary(r)),
      nextCursor: rows.length > limit && last ? encodeCursor([last.started_at, last.seq]) : null,
    });
  }

  private toDetail(r: SagaFullRow): SagaDetail {
    const steps = decodeTimeline(r.steps, r.started_at, JSON.parse(r.input) as Transaction);
    return {
      ...this.toSummary(r),
      steps: steps.map((s) => ({
        name: s.name,
        kind: s.kind,
        state: s.state,
        attempts: s.attempts,
        startedAt: isoOrNull(s.startedAt),
        endedAt: isoOrNull(s.endedAt),
        input: s.state === 'PENDING' || s.state === 'SKIPPED' ? null : r.input,
        output: s.output,
        error: s.error,
      })),
    };
  }

  async getSaga(caller: Caller, id: string): Promise<SagaDetail | null> {
    this.authorize(caller, 'platform.read');
    const r = this.s.saga.get(id);
    return Promise.resolve(r ? this.toDetail(r) : null);
  }

  async getMetricSeries(caller: Caller, input: MetricQueryInput): Promise<MetricSeries[]> {
    this.authorize(caller, 'platform.read');
    const from = Date.parse(input.from);
    const to = Date.parse(input.to);
    if (!(from < to)) throw new PlatformError('Invalid', 'from must be before to', 'from');
    const period = input.periodSeconds ?? 60;
    if (period % 60 !== 0)
      throw new PlatformError('Invalid', 'periodSeconds must be a multiple of 60', 'periodSeconds');
    const per = period / 60;
    if ((to - from) / 60_000 / per > 1440)
      throw new PlatformError('Invalid', 'at most 1440 datapoints per series: widen periodSeconds', 'periodSeconds');
    return Promise.resolve(
      input.metrics.map((id) => {
        const def = this.metricDefs.get(id);
        if (!def) throw new PlatformError('Invalid', `unknown metric id ${id}`, 'metrics');
        const rows = this.s.metricRange.all(id, Math.floor(from / 60_000), Math.ceil(to / 60_000) - 1);
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
      }),
    );
  }

  async getLedgerSummary(caller: Caller): Promise<LedgerSummary> {
    this.authorize(caller, 'platform.read');
    const r = this.s.ledger.get() ?? { accounts: 0, total: 0, held: 0, holds: 0 };
    const expected = Number(this.s.meta.get('expected_total')?.value ?? r.total ?? 0);
    const total = r.total ?? 0;
    return Promise.resolve({
      accounts: r.accounts,
      totalBalance: total,
      expectedTotal: expected,
      balanced: total === expected,
      openHolds: r.holds ?? 0,
      heldAmount: r.held ?? 0,
    });
  }

  // ------------------------------------------------------------------ write
  private immediate<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  async startRedrive(caller: Caller, input: StartRedriveInput): Promise<RedriveTask> {
    this.authorize(caller, 'queue.redrive');
    this.requireQueue(input.queueId);
    if (input.rate !== undefined && (!Number.isInteger(input.rate) || input.rate < 1 || input.rate > MAX_REDRIVE_RATE))
      throw new PlatformError(
        'Invalid',
        `rate must be an integer between 1 and ${MAX_REDRIVE_RATE} messages/s`,
        'rate',
      );
    const dlq = dlqOf(input.queueId);
    const id = `redrive-${randomUUID()}`;
    return Promise.resolve(
      this.immediate(() => {
        // The start instant, read inside the write lock: what dead-letters later arrives after it.
        let now = this.now();
        let total: number;
        let ids: string | null = null;
        if (input.messageIds) {
          const numeric = input.messageIds.map((m) => Number(m));
          if (numeric.some((n) => !Number.isInteger(n)))
            throw new PlatformError('Invalid', 'messageIds must be ids of dead-letter messages', 'messageIds');
          ids = JSON.stringify(numeric);
          total =
            this.db
              .prepare<[string, string], { n: number }>(
                'SELECT count(*) AS n FROM messages WHERE queue = ? AND id IN (SELECT value FROM json_each(?))',
              )
              .get(dlq, ids)?.n ?? 0;
          if (total !== numeric.length)
            throw new PlatformError(
              'NotFound',
              `${numeric.length - total} of the selected messages are not in the DLQ`,
              'messageIds',
            );
        } else {
          // "All" is what has arrived in the DLQ by the start (arrival time: deadLetter sets
          // enqueued_at; it keeps the source message id, so an id cutoff would take later ones).
          // The engine moves the same selection. A DLQ message stamped after the start by a clock
          // running ahead moves the start up to it, so that everything present is counted.
          now = Math.max(now, this.s.dlqLastArrival.get(dlq)?.at ?? now);
          total = this.s.dlqArrivedBy.get(dlq, now)?.n ?? 0;
          if (total === 0)
            throw new PlatformError('Conflict', `the ${input.queueId} DLQ is empty: nothing to redrive`, 'queueId');
        }
        const cutoff = this.s.maxDlqId.get(dlq)?.id ?? 0;
        try {
          this.s.insertRedrive.run(
            id,
            input.queueId,
            total,
            input.rate ?? null,
            ids ? 'selected' : 'all',
            ids,
            cutoff,
            now,
            caller.id,
          );
        } catch (e) {
          if (e instanceof Error && /UNIQUE/.test(e.message))
            throw new PlatformError(
              'Conflict',
              `a redrive task is already running for the ${input.queueId} DLQ`,
              'queueId',
            );
          throw e;
        }
        return this.toRedrive(this.s.redrive.get(id)!);
      }),
    );
  }

  async cancelRedrive(caller: Caller, id: string): Promise<RedriveTask> {
    this.authorize(caller, 'queue.redrive.cancel');
    return Promise.resolve(
      this.immediate(() => {
        const r = this.s.redrive.get(id);
        if (!r) throw new PlatformError('NotFound', `redrive task ${id} does not exist`, 'id');
        if (r.status !== 'RUNNING')
          throw new PlatformError(
            'Conflict',
            `redrive task ${id} is ${r.status}: only a RUNNING task can be cancelled`,
            'id',
          );
        this.s.cancelRedrive.run(id);
        return this.toRedrive(this.s.redrive.get(id)!);
      }),
    );
  }

  private replayWhere(input: PreviewReplayInput): {
    where: string;
    params: (string | number)[];
    start: number;
    end: number;
  } {
    if (input.archive !== NAMES.archiveName)
      throw new PlatformError('NotFound', `archive ${input.archive} does not exist`, 'archive');
    const start = Date.parse(input.window.start);
    const end = Date.parse(input.window.end);
    if (!(start < end)) throw new PlatformError('Invalid', 'window.start must be before window.end', 'window.start');
    if (end > this.now() + 60_000)
      throw new PlatformError('Invalid', 'window.end must not be in the future', 'window.end');
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

  async previewReplay(caller: Caller, input: PreviewReplayInput): Promise<ReplayPreview> {
    this.authorize(caller, 'archive.replay');
    const { where, params } = this.replayWhere(input);
    const count =
      this.db
        .prepare<(string | number)[], { n: number }>(`SELECT count(*) AS n FROM archive WHERE ${where}`)
        .get(...params)?.n ?? 0;
    const rows = this.db
      .prepare<
        (string | number)[],
        {
          seq: number;
          event_id: string;
          time: number;
          source: string;
          detail_type: string;
          transaction_id: string | null;
          body: string;
        }
      >(
        `SELECT seq, event_id, time, source, detail_type, transaction_id, body FROM archive WHERE ${where} ORDER BY time DESC LIMIT 50`,
      )
      .all(...params);
    const nowSec = Math.floor(this.now() / 1000);
    let applied = 0;
    const sample: ArchivedEvent[] = rows.map((r) => {
      if (r.transaction_id) {
        const rec = this.s.idem.get(r.transaction_id);
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
    return Promise.resolve({
      count,
      sample,
      sampleAlreadyApplied: applied,
      idempotencyHorizon: iso(this.now() - IDEMPOTENCY_TTL_HOURS * 3_600_000),
    });
  }

  async startReplay(caller: Caller, input: StartReplayInput): Promise<Replay> {
    this.authorize(caller, 'archive.replay');
    const { start, end } = this.replayWhere(input);
    const horizon = this.now() - IDEMPOTENCY_TTL_HOURS * 3_600_000;
    if (start < horizon)
      throw new PlatformError(
        'Invalid',
        `window.start is older than the idempotency horizon ${iso(horizon)}: replayed transactions could be applied twice`,
        'window.start',
      );
    const name =
      input.name ?? `replay-${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
    return Promise.resolve(
      this.immediate(() => {
        if (this.s.replay.get(name))
          throw new PlatformError('Conflict', `a replay named ${name} already exists`, 'name');
        const active = this.s.activeReplays.get()?.n ?? 0;
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
        this.s.insertReplay.run(name, input.archive, start, end, pattern, this.now(), caller.id);
        return this.toReplay(this.s.replay.get(name)!);
      }),
    );
  }

  async cancelReplay(caller: Caller, name: string): Promise<Replay> {
    this.authorize(caller, 'archive.replay.cancel');
    return Promise.resolve(
      this.immediate(() => {
        const r = this.s.replay.get(name);
        if (!r) throw new PlatformError('NotFound', `replay ${name} does not exist`, 'name');
        if (r.state !== 'STARTING' && r.state !== 'RUNNING')
          throw new PlatformError(
            'Conflict',
            `replay ${name} is ${r.state}: only a STARTING or RUNNING replay can be cancelled`,
            'name',
          );
        this.s.cancelReplay.run(name);
        return this.toReplay(this.s.replay.get(name)!);
      }),
    );
  }

  private plan(sagaId: string, mode: 'compensate' | 'resume', reason: string) {
    const row = this.s.saga.get(sagaId);
    if (!row) throw new PlatformError('NotFound', `saga ${sagaId} does not exist`, 'sagaId');
    const plan = planCommand(
      {
        status: row.status,
        steps: decodeTimeline(row.steps, row.started_at, JSON.parse(row.input) as Transaction),
        cursor: JSON.parse(row.cursor) as SagaCursor,
        nextRunAt: row.next_run_at,
        failedStep: row.failed_step,
        error: row.error,
      },
      mode,
      reason,
      this.now(),
    );
    if (!plan.ok) throw new PlatformError('Conflict', plan.reason, 'sagaId');
    return { row, plan };
  }

  async previewCompensation(caller: Caller, input: Omit<CompensateInput, 'reason'>): Promise<CompensationPreview> {
    this.authorize(caller, 'saga.compensate');
    const mode = input.mode ?? 'compensate';
    const { row, plan } = this.plan(input.sagaId, mode, 'preview');
    const tx = JSON.parse(row.input) as { fromAccount: string; toAccount: string; amount: number; currency: string };
    const describe = (c: string) =>
      c === 'ReleaseFunds'
        ? {
            description: `Release the hold of ${tx.amount} ${tx.currency} on ${tx.fromAccount}`,
            account: tx.fromAccount,
          }
        : c === 'ReverseLedger'
          ? {
              description: `Reverse the ledger post: move ${tx.amount} ${tx.currency} from ${tx.toAccount} back to ${tx.fromAccount}`,
              account: tx.toAccount,
            }
          : { description: `Void the settlement with the payment network`, account: null };
    return Promise.resolve({
      sagaId: row.id,
      mode,
      actions: plan.compensations.map((c) => ({ compensation: c, ...describe(c), amount: tx.amount })),
    });
  }

  async compensate(caller: Caller, input: CompensateInput): Promise<SagaDetail> {
    this.authorize(caller, 'saga.compensate');
    const reason = input.reason?.trim() ?? '';
    if (reason.length < 3) throw new PlatformError('Invalid', 'reason must be at least 3 characters', 'reason');
    return Promise.resolve(
      this.immediate(() => {
        const { row, plan } = this.plan(input.sagaId, input.mode ?? 'compensate', `${reason} (by ${caller.id})`);
        const s = plan.saga;
        const changed = this.s.updateSaga.run(
          s.status,
          encodeTimeline(s.steps, row.started_at),
          JSON.stringify(s.cursor),
          s.nextRunAt,
          s.failedStep,
          s.error,
          row.id,
          row.status,
        ).changes;
        if (changed !== 1)
          throw new PlatformError('Conflict', `saga ${row.id} changed meanwhile: reload and try again`, 'sagaId');
        if (s.status !== row.status) {
          this.s.sagaCount.run(row.status, -1);
          this.s.sagaCount.run(s.status, 1);
        }
        return this.toDetail(this.s.saga.get(row.id)!);
      }),
    );
  }
}

const cache = ((globalThis as { __ledgerlineLocal?: Map<string, LocalPlatform> }).__ledgerlineLocal ??= new Map<
  string,
  LocalPlatform
>());

/** The local adapter, one cached instance per data directory (Next may import this module many times). */
export function createLocalPlatform(options: LocalPlatformOptions): Platform & { readonly db: Db } {
  if (options.clock) return new LocalPlatform(options); // tests with their own clock get their own instance
  let p = cache.get(options.dataDir);
  if (!p || !p.db.open) {
    p = new LocalPlatform(options);
    cache.set(options.dataDir, p);
  }
  return p;
}
