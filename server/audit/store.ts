import 'server-only';
/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; its methods implement an async port */
import { createHash } from 'node:crypto';
import type { Caller } from '../auth/permissions.schema';
import type { ConsoleDb } from '../db/console-db';
import { PlatformError } from '../platform/port';
import type { AuditAction, AuditEntry, AuditOutcome, AuditPage, AuditQuery, AuditVerification } from './audit.schema';

/** Who acted: a signed-in caller, or (a refused sign-in) the email tried with role 'none'. */
export type AuditActor = Caller | { id: string; name: string; role: 'none' };

export interface AuditRecord {
  requestId: string;
  actor: AuditActor;
  action: AuditAction;
  outcome: AuditOutcome;
  target?: string | null;
  reason?: string | null;
  ticket?: string | null;
  approvalId?: string | null;
  idempotencyKey?: string | null;
  inputs?: unknown;
  result?: unknown;
}

/**
 * The audit log: append and read, nothing else (no update or delete path exists; the SQLite
 * table also refuses them with triggers). Entries are hash-chained: each hash covers the
 * previous one, so a row changed outside the app breaks verify().
 * A DynamoDB implementation keeps the same interface for the aws backend.
 */
export interface AuditStore {
  append(record: AuditRecord, now?: number): Promise<AuditEntry>;
  /** Newest first; `filter.cursor` = a previous page's nextCursor (opaque to callers). */
  list(filter: AuditQuery): Promise<AuditPage>;
  count(): Promise<number>;
  verify(): Promise<AuditVerification>;
}

/** An entry as stored (both adapters keep these fields; hashOf covers all but seq and the hashes). */
export interface AuditRow {
  seq: number;
  at: number;
  request_id: string;
  actor_id: string;
  actor_name: string;
  role: string;
  action: AuditAction;
  outcome: AuditOutcome;
  target: string | null;
  reason: string | null;
  ticket: string | null;
  approval_id: string | null;
  idempotency_key: string | null;
  inputs: string | null;
  result: string | null;
  prev_hash: string;
  hash: string;
}

type Row = AuditRow;

export const GENESIS = '0'.repeat(64);

function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function hashOf(prev: string, r: Omit<Row, 'seq' | 'hash' | 'prev_hash'>): string {
  const canonical = JSON.stringify([
    r.at,
    r.request_id,
    r.actor_id,
    r.actor_name,
    r.role,
    r.action,
    r.outcome,
    r.target,
    r.reason,
    r.ticket,
    r.approval_id,
    r.idempotency_key,
    r.inputs,
    r.result,
  ]);
  return createHash('sha256').update(prev).update('|').update(canonical).digest('hex');
}

/** The stored fields of a record appended at `now` (before chaining). */
export function auditFields(record: AuditRecord, now: number): Omit<Row, 'seq' | 'hash' | 'prev_hash'> {
  return {
    at: now,
    request_id: record.requestId,
    actor_id: record.actor.id,
    actor_name: record.actor.name,
    role: record.actor.role,
    action: record.action,
    outcome: record.outcome,
    target: record.target ?? null,
    reason: record.reason ?? null,
    ticket: record.ticket ?? null,
    approval_id: record.approvalId ?? null,
    idempotency_key: record.idempotencyKey ?? null,
    inputs: json(record.inputs),
    result: json(record.result),
  };
}

export function toEntry(r: Row): AuditEntry {
  return {
    seq: r.seq,
    at: new Date(r.at).toISOString(),
    requestId: r.request_id,
    actorId: r.actor_id,
    actorName: r.actor_name,
    role: r.role,
    action: r.action,
    outcome: r.outcome,
    target: r.target,
    reason: r.reason,
    ticket: r.ticket,
    approvalId: r.approval_id,
    idempotencyKey: r.idempotency_key,
    inputs: r.inputs,
    result: r.result,
    hash: r.hash,
  };
}

/** A LIKE pattern matching `text` anywhere, its own %, _ and backslash taken literally (with ESCAPE '\\'). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** An SQLite page position is a seq; any other (e.g. a DynamoDB one) is refused naming the field. */
function sqliteCursor(cursor: string): number {
  if (!/^[1-9]\d{0,14}$/.test(cursor)) {
    throw new PlatformError('Invalid', 'cursor: not a position in this audit log; start from the first page', 'cursor');
  }
  return Number(cursor);
}

export class SqliteAuditStore implements AuditStore {
  constructor(private readonly db: ConsoleDb) {}

  async append(record: AuditRecord, now = Date.now()): Promise<AuditEntry> {
    const db = this.db;
    return db
      .transaction(() => {
        const last = db.prepare<[], { hash: string }>('SELECT hash FROM audit ORDER BY seq DESC LIMIT 1').get();
        const prev = last?.hash ?? GENESIS;
        const row = auditFields(record, now);
        const hash = hashOf(prev, row);
        const info = db
          .prepare(
            `INSERT INTO audit (at, request_id, actor_id, actor_name, role, action, outcome, target, reason, ticket,
              approval_id, idempotency_key, inputs, result, prev_hash, hash)
             VALUES (@at, @request_id, @actor_id, @actor_name, @role, @action, @outcome, @target, @reason, @ticket,
              @approval_id, @idempotency_key, @inputs, @result, @prev_hash, @hash)`,
          )
          .run({ ...row, prev_hash: prev, hash });
        return toEntry({ ...row, seq: Number(info.lastInsertRowid), prev_hash: prev, hash });
      })
      .immediate();
  }

  async list(filter: AuditQuery): Promise<AuditPage> {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (filter.actor) {
      where.push(`(actor_id = @actor OR actor_name LIKE @actorLike ESCAPE '\\')`);
      params.actor = filter.actor;
      params.actorLike = containsPattern(filter.actor);
    }
    const add = (clause: string, name: string, value: string | number) => {
      where.push(clause);
      params[name] = value;
    };
    if (filter.action) add('action = @action', 'action', filter.action);
    if (filter.outcome) add('outcome = @outcome', 'outcome', filter.outcome);
    if (filter.from) add('at >= @from', 'from', Date.parse(filter.from));
    if (filter.to) add('at <= @to', 'to', Date.parse(filter.to));
    if (filter.q) {
      where.push(
        `(target LIKE @q ESCAPE '\\' OR reason LIKE @q ESCAPE '\\' OR ticket LIKE @q ESCAPE '\\' OR request_id = @qExact)`,
      );
      params.q = containsPattern(filter.q);
      params.qExact = filter.q;
    }
    if (filter.cursor) add('seq < @cursor', 'cursor', sqliteCursor(filter.cursor));
    const limit = filter.limit;
    const rows = this.db
      .prepare<[Record<string, string | number>], Row>(
        `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${limit + 1}`,
      )
      .all(params);
    const more = rows.length > limit;
    const items = rows.slice(0, limit).map(toEntry);
    const last = items.at(-1);
    return { items, nextCursor: more && last ? String(last.seq) : null };
  }

  async count(): Promise<number> {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit').get()?.n ?? 0;
  }

  async verify(): Promise<AuditVerification> {
    let prev = GENESIS;
    for (const row of this.db.prepare<[], Row>('SELECT * FROM audit ORDER BY seq').iterate()) {
      if (row.prev_hash !== prev || hashOf(prev, row) !== row.hash) return { ok: false, brokenAt: row.seq };
      prev = row.hash;
    }
    return { ok: true, brokenAt: null };
  }
}
