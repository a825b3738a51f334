/**
 * The bus + archive loop: PutEvents (validation, archive, rules, targets), the inbox that other
 * processes write events to, the bus side of a replay, and the archive's retention.
 */
import { ARCHIVE_RETENTION_DAYS, eventSources } from '@/infra/platform/description';
import { matchesPattern, type EventPattern } from '@/infra/runtime/event-pattern';
import {
  parseEnvelope,
  transactionEventOf,
  type EventEnvelope,
  type ParseResult,
  type TransactionEvent,
} from '@/infra/runtime/transaction';
import type { EngineContext } from './engine-context';
import { NAMES, PROCESSING } from './names';
import type { ParseCache } from './parse-cache';
import { RowBatch } from './row-batch';

/** An archived event, as replays read it. */
export interface ArchiveRow {
  seq: number;
  time: number;
  event_id: string;
  source: string;
  detail_type: string;
  transaction_id: string | null;
  body: string;
}

/** PutEvents' per-entry results. */
export interface PutEventsResult {
  accepted: number;
  rejected: { index: number; reason: string }[];
}

export class BusArchive {
  private rules: { name: string; pattern: EventPattern; target: string; headerOnly: boolean }[] = [];
  // Multi-row INSERTs (row-batch.ts): putEvents and putReplayed flush them before they return.
  private readonly archiveRows;
  private readonly messageRows;
  private readonly archiveStats;
  private readonly insertRejected;
  private readonly inbox;
  private readonly inboxAny;
  private readonly deleteInbox;
  private readonly pruneArchiveStats;
  private readonly deleteArchive;
  private readonly pruneRejectedRows;

  constructor(
    private readonly ctx: EngineContext,
    private readonly parseCache: ParseCache,
  ) {
    const { db } = ctx;
    this.archiveRows = new RowBatch(
      db,
      'INSERT INTO archive (event_id, time, source, detail_type, transaction_id, body, ingested_at)',
      7,
    );
    this.messageRows = new RowBatch(
      db,
      'INSERT INTO messages (queue, body, attributes, transaction_id, sent_at, enqueued_at, visible_at, ingest_at)',
      8,
    );
    this.archiveStats = db.prepare(
      'INSERT INTO archive_stats (archive, event_count, size_bytes) VALUES (?, ?, ?) ON CONFLICT(archive) DO UPDATE SET event_count = event_count + excluded.event_count, size_bytes = size_bytes + excluded.size_bytes',
    );
    this.insertRejected = db.prepare('INSERT INTO rejected_events (at, code, reason, excerpt) VALUES (?, ?, ?, ?)');
    this.inbox = db.prepare<[number], { id: number; body: string }>('SELECT id, body FROM inbox ORDER BY id LIMIT ?');
    this.inboxAny = db.prepare<[], number>('SELECT 1 FROM inbox LIMIT 1').pluck();
    this.deleteInbox = db.prepare('DELETE FROM inbox WHERE id <= ?');
    this.pruneArchiveStats = db.prepare<[number], { n: number; bytes: number | null }>(
      'SELECT count(*) AS n, sum(length(body)) AS bytes FROM archive WHERE time < ?',
    );
    this.deleteArchive = db.prepare('DELETE FROM archive WHERE time < ?');
    this.pruneRejectedRows = db.prepare(
      'DELETE FROM rejected_events WHERE id <= (SELECT max(id) FROM rejected_events) - 1000',
    );
    this.loadRules();
  }

  loadRules(): void {
    const existing = this.ctx.db
      .prepare<[], { name: string; pattern: string; target_queue: string }>(
        'SELECT name, pattern, target_queue FROM rules WHERE enabled = 1',
      )
      .all();
    if (existing.length === 0) {
      const pattern = { source: [...eventSources], 'detail-type': ['TransactionSubmitted', 'PaymentValidated'] };
      this.ctx.db
        .prepare('INSERT OR IGNORE INTO rules (name, pattern, target_queue) VALUES (?, ?, ?)')
        .run(`${NAMES.prefix}-transactions-to-${PROCESSING}`, JSON.stringify(pattern), PROCESSING);
      return this.loadRules();
    }
    this.rules = existing.map((r) => {
      const pattern = JSON.parse(r.pattern) as EventPattern;
      return {
        name: r.name,
        pattern,
        target: r.target_queue,
        headerOnly: Object.keys(pattern).every((k) => k === 'source' || k === 'detail-type'),
      };
    });
  }

  /**
   * PutEvents: validates each entry, archives it (unless it is a replay), matches the rules and
   * sends it to the target queues. Returns per-entry results. Call inside tx().
   */
  putEvents(entries: readonly unknown[], opts: { replayName?: string; ingestAt?: number } = {}): PutEventsResult {
    const now = this.ctx.now();
    const ingestAt = opts.ingestAt ?? now;
    let accepted = 0;
    let archivedBytes = 0;
    let archived = 0;
    const rejected: { index: number; reason: string }[] = [];
    const { archiveRows, messageRows } = this;
    for (let i = 0; i < entries.length; i++) {
      const raw = entries[i];
      // Replayed events come from the archive, which only holds events that passed these checks.
      const parsed: ReturnType<typeof parseEnvelope> =
        opts.replayName && raw !== null && typeof raw === 'object'
          ? { ok: true as const, event: raw as EventEnvelope }
          : parseEnvelope(raw);
      if (!parsed.ok) {
        rejected.push({ index: i, reason: parsed.reason });
        const excerpt = typeof raw === 'string' ? raw.slice(0, 200) : (JSON.stringify(raw) ?? '').slice(0, 200);
        this.insertRejected.run(now, parsed.code, parsed.reason, excerpt);
        this.ctx.metric('events.rejected', 1, now);
        this.ctx.counts.rejected++;
        continue;
      }
      const env = parsed.event;
      if (opts.replayName) env['replay-name'] = opts.replayName;
      // The text the bus measured, when it is the envelope's JSON (see parseEnvelope): not serialized twice.
      const body = parsed.text !== undefined && !opts.replayName ? parsed.text : JSON.stringify(env);
      const detail = env.detail as { transactionId?: unknown } | null;
      const txId =
        detail && typeof detail === 'object' && typeof detail.transactionId === 'string'
          ? detail.transactionId.slice(0, 100)
          : null;
      const eventTime = Date.parse(env.time);
      if (!opts.replayName) {
        archiveRows.add(env.id, eventTime, env.source, env['detail-type'], txId, body, now);
        archived++;
        archivedBytes += body.length;
      }
      let matched = false;
      // Validated once here: the processor reuses this result for the same body (see parsedAt).
      let parsedEvent: ParseResult<TransactionEvent> | null = null;
      for (const rule of this.rules) {
        if (!matchesPattern(rule.pattern, env)) continue;
        matched = true;
        if (!opts.replayName) parsedEvent ??= transactionEventOf(env);
        this.parseCache.unassigned.push(parsedEvent?.ok ? { body, result: parsedEvent } : null);
        this.parseCache.assign(
          messageRows.add(
            rule.target,
            body,
            opts.replayName
              ? JSON.stringify({ eventId: env.id, replayName: opts.replayName })
              : `{"eventId":${JSON.stringify(env.id)}}`,
            txId,
            now,
            now,
            now,
            ingestAt,
          ),
        );
        this.ctx.bumpQueue(rule.target, 1);
      }
      if (matched) this.ctx.metric('events.in', 1, now);
      accepted++;
    }
    archiveRows.flush();
    this.parseCache.assign(messageRows.flush());
    if (archived > 0) this.archiveStats.run(NAMES.archiveName, archived, archivedBytes);
    this.ctx.counts.ingested += accepted;
    return { accepted, rejected };
  }

  /**
   * The bus side of a replay: archived events (validated when they were first put) go to the
   * rules' targets marked with the replay name, and are not archived again. The body is only
   * parsed when a rule's pattern looks beyond source and detail-type.
   */
  putReplayed(rows: readonly ArchiveRow[], replayName: string): void {
    const now = this.ctx.now();
    const mark = `{"replay-name":${JSON.stringify(replayName)},`;
    const { messageRows } = this;
    let matchedEvents = 0;
    for (const row of rows) {
      let parsed: Record<string, unknown> | null = null;
      const full = () => (parsed ??= JSON.parse(row.body) as Record<string, unknown>);
      const head = { source: row.source, 'detail-type': row.detail_type };
      // Our archive stores JSON objects; a producer-set replay-name (never archived by us) takes the slow path.
      const body =
        row.body.startsWith('{') && !row.body.includes('"replay-name"')
          ? mark + row.body.slice(1)
          : JSON.stringify({ ...full(), 'replay-name': replayName });
      let matched = false;
      for (const rule of this.rules) {
        if (!matchesPattern(rule.pattern, rule.headerOnly ? head : full())) continue;
        matched = true;
        messageRows.add(
          rule.target,
          body,
          JSON.stringify({ eventId: row.event_id, replayName }),
          row.transaction_id,
          now,
          now,
          now,
          now,
        );
        this.ctx.bumpQueue(rule.target, 1);
      }
      if (matched) matchedEvents++;
    }
    messageRows.flush();
    if (matchedEvents > 0) this.ctx.metric('events.in', matchedEvents, now);
    this.ctx.counts.ingested += rows.length;
  }

  /** Ingests events written to the inbox table by other processes (admin API, benches). */
  async pumpInbox(limit = 2000): Promise<number> {
    // Looked at before the write transaction: an empty inbox (nearly always) costs no BEGIN/COMMIT.
    if (this.inboxAny.get() === undefined) return 0;
    return this.ctx.tx(() => {
      const rows = this.inbox.all(limit);
      if (rows.length === 0) return 0;
      this.putEvents(rows.map((r) => r.body));
      this.deleteInbox.run(rows[rows.length - 1]!.id);
      return rows.length;
    });
  }

  /** Archive retention (call inside the maintenance transaction); returns the cutoff time. */
  pruneArchive(now: number): number {
    const cutoff = now - ARCHIVE_RETENTION_DAYS * 86_400_000;
    const old = this.pruneArchiveStats.get(cutoff);
    if (old && old.n > 0) {
      this.deleteArchive.run(cutoff);
      this.archiveStats.run(NAMES.archiveName, -old.n, -(old.bytes ?? 0));
    }
    return cutoff;
  }

  /** Keeps the last 1000 rejected events. */
  pruneRejected(): void {
    this.pruneRejectedRows.run();
  }

  /** Drops rows still buffered for a multi-row INSERT (the transaction is being rolled back). */
  discardUnwritten(): void {
    this.archiveRows.discard();
    this.messageRows.discard();
  }
}
