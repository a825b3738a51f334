import 'server-only';
/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; its methods implement an async port */
import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/permissions.schema';
import type { ConsoleDb } from '../db/console-db';
import type { Approval, ApprovalAction, ApprovalStatus } from './approval.schema';

export interface NewApproval {
  action: ApprovalAction;
  target: string;
  input: unknown;
  preview: unknown;
  reason: string;
  ticket: string;
  requester: Caller;
  ttlMinutes: number;
}

/**
 * Approval requests. Status moves only forward, each move a conditional update
 * (PENDING -> APPROVED/REJECTED/EXPIRED; APPROVED -> EXECUTED/FAILED), so two approvers
 * clicking at once execute the action once. A DynamoDB implementation (conditional writes)
 * keeps the same interface for the aws backend.
 */
export interface ApprovalStore {
  create(a: NewApproval, now?: number): Promise<Approval>;
  get(id: string, now?: number): Promise<Approval | null>;
  list(filter: { status?: ApprovalStatus; limit: number }, now?: number): Promise<Approval[]>;
  /**
   * What an approver must see: every request still waiting (soonest expiry first, none left
   * out), then the `decidedLimit` most recently requested settled ones (decided, executed,
   * failed or expired).
   */
  listForReview(filter: { decidedLimit: number }, now?: number): Promise<ApprovalsForReview>;
  /** The requests still waiting for a decision (PENDING, unexpired), soonest expiry first. */
  waiting(now?: number): Promise<Approval[]>;
  /** PENDING and unexpired -> APPROVED or REJECTED; false if someone else decided first or it expired. */
  decide(
    id: string,
    decision: 'APPROVED' | 'REJECTED',
    by: Caller,
    comment: string | null,
    now?: number,
  ): Promise<boolean>;
  finish(id: string, status: 'EXECUTED' | 'FAILED', result: unknown, now?: number): Promise<void>;
}

export interface ApprovalsForReview {
  pending: Approval[];
  decided: Approval[];
  /** True when more settled requests exist than `decided` holds. */
  moreDecided: boolean;
}

/** A request as stored (both adapters keep these fields). */
export interface ApprovalRow {
  id: string;
  action: ApprovalAction;
  target: string;
  input: string;
  preview: string | null;
  reason: string;
  ticket: string;
  requested_by: string;
  requested_by_name: string;
  requested_role: string;
  requested_at: number;
  expires_at: number;
  status: ApprovalStatus;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: number | null;
  decision_comment: string | null;
  result: string | null;
}

type Row = ApprovalRow;

/** The stored row of a new request `id`, filed at `now`. */
export function approvalRowOf(id: string, a: NewApproval, now: number): ApprovalRow {
  return {
    id,
    action: a.action,
    target: a.target,
    input: JSON.stringify(a.input),
    preview: a.preview === undefined ? null : JSON.stringify(a.preview),
    reason: a.reason,
    ticket: a.ticket,
    requested_by: a.requester.id,
    requested_by_name: a.requester.name,
    requested_role: a.requester.role,
    requested_at: now,
    expires_at: now + a.ttlMinutes * 60_000,
    status: 'PENDING',
    decided_by: null,
    decided_by_name: null,
    decided_at: null,
    decision_comment: null,
    result: null,
  };
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function toApproval(r: Row, now: number): Approval {
  const status: ApprovalStatus = r.status === 'PENDING' && r.expires_at <= now ? 'EXPIRED' : r.status;
  return {
    id: r.id,
    action: r.action,
    target: r.target,
    input: r.input,
    preview: r.preview,
    reason: r.reason,
    ticket: r.ticket,
    requestedBy: r.requested_by,
    requestedByName: r.requested_by_name,
    requestedRole: r.requested_role,
    requestedAt: iso(r.requested_at)!,
    expiresAt: iso(r.expires_at)!,
    status,
    decidedBy: r.decided_by,
    decidedByName: r.decided_by_name,
    decidedAt: iso(r.decided_at),
    decisionComment: r.decision_comment,
    result: r.result,
  };
}

export class SqliteApprovalStore implements ApprovalStore {
  constructor(private readonly db: ConsoleDb) {}

  async create(a: NewApproval, now = Date.now()): Promise<Approval> {
    const row = approvalRowOf(`apr-${randomUUID()}`, a, now);
    this.db
      .prepare(
        `INSERT INTO approvals (id, action, target, input, preview, reason, ticket, requested_by, requested_by_name, requested_role,
          requested_at, expires_at, status) VALUES (@id, @action, @target, @input, @preview, @reason, @ticket, @requested_by,
          @requested_by_name, @requested_role, @requested_at, @expires_at, 'PENDING')`,
      )
      .run(row);
    return (await this.get(row.id, now))!;
  }

  async get(id: string, now = Date.now()): Promise<Approval | null> {
    const row = this.db.prepare<[string], Row>('SELECT * FROM approvals WHERE id = ?').get(id);
    return row ? toApproval(row, now) : null;
  }

  async list(filter: { status?: ApprovalStatus; limit: number }, now = Date.now()): Promise<Approval[]> {
    const rows = this.db.prepare<[], Row>('SELECT * FROM approvals ORDER BY requested_at DESC LIMIT 1000').all();
    return rows
      .map((r) => toApproval(r, now))
      .filter((a) => !filter.status || a.status === filter.status)
      .slice(0, filter.limit);
  }

  async waiting(now = Date.now()): Promise<Approval[]> {
    // Waiting = PENDING and not expired (toApproval turns an expired PENDING row into EXPIRED).
    return this.db
      .prepare<[number], Row>(
        "SELECT * FROM approvals WHERE status = 'PENDING' AND expires_at > ? ORDER BY expires_at ASC, id ASC",
      )
      .all(now)
      .map((r) => toApproval(r, now));
  }

  async listForReview({ decidedLimit }: { decidedLimit: number }, now = Date.now()): Promise<ApprovalsForReview> {
    const pending = await this.waiting(now);
    const decided = this.db
      .prepare<[number, number], Row>(
        `SELECT * FROM approvals WHERE NOT (status = 'PENDING' AND expires_at > ?)
         ORDER BY requested_at DESC, id DESC LIMIT ?`,
      )
      .all(now, decidedLimit + 1);
    return {
      pending,
      decided: decided.slice(0, decidedLimit).map((r) => toApproval(r, now)),
      moreDecided: decided.length > decidedLimit,
    };
  }

  async decide(
    id: string,
    decision: 'APPROVED' | 'REJECTED',
    by: Caller,
    comment: string | null,
    now = Date.now(),
  ): Promise<boolean> {
    const changes = this.db
      .prepare(
        `UPDATE approvals SET status = ?, decided_by = ?, decided_by_name = ?, decided_at = ?, decision_comment = ?
         WHERE id = ? AND status = 'PENDING' AND expires_at > ? AND requested_by <> ?`,
      )
      .run(decision, by.id, by.name, now, comment, id, now, by.id).changes;
    return changes === 1;
  }

  async finish(id: string, status: 'EXECUTED' | 'FAILED', result: unknown, now = Date.now()): Promise<void> {
    this.db
      .prepare(`UPDATE approvals SET status = ?, result = ?, executed_at = ? WHERE id = ? AND status = 'APPROVED'`)
      .run(status, JSON.stringify(result ?? null), now, id);
  }
}
