import 'server-only';
/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; its methods implement an async port */
import { randomUUID } from 'node:crypto';
import type { ConsoleDb } from './console-db';

/**
 * A claim outlives a crashed holder by at most this long: a claim older than this is taken over
 * (every verb ends, or fails, well within it; platform calls time out sooner).
 */
export const ACTION_CLAIM_TTL_MS = 5 * 60_000;

/** Who holds a scope, and what they are doing there (the 409 names it). */
export interface ClaimHolder {
  action: string;
  actorId: string;
  actorName: string;
  requestId: string;
  /** What the holder is doing, in words (e.g. "replay of ... over <window>"). */
  detail: string;
  claimedAt: string;
}

export type ClaimResult = { ok: true; token: string } | { ok: false; holder: ClaimHolder };

/**
 * Claims of write actions in flight, one per scope (e.g. `replay.start:archive:<name>`,
 * `saga:<id>`): the first request claims the scope; any other request for the same scope is
 * refused until the first releases it (after its side effect was recorded, or when it failed).
 * Race-free by construction: one conditional INSERT on the primary key, atomic in SQLite across
 * the console's concurrent handlers and processes. A DynamoDB implementation (conditional put,
 * attribute_not_exists or expired) keeps this interface.
 */
export interface ActionClaimStore {
  claim(scope: string, holder: Omit<ClaimHolder, 'claimedAt'>, now?: number): Promise<ClaimResult>;
  release(scope: string, token: string): Promise<void>;
}

interface Row {
  action: string;
  actor_id: string;
  actor_name: string;
  request_id: string;
  detail: string;
  claimed_at: number;
}

export class SqliteActionClaimStore implements ActionClaimStore {
  constructor(private readonly db: ConsoleDb) {}

  async claim(scope: string, holder: Omit<ClaimHolder, 'claimedAt'>, now = Date.now()): Promise<ClaimResult> {
    const token = randomUUID();
    const { changes } = this.db
      .prepare(
        `INSERT INTO action_claims (scope, token, action, actor_id, actor_name, request_id, detail, claimed_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (scope) DO UPDATE SET token = excluded.token, action = excluded.action, actor_id = excluded.actor_id,
           actor_name = excluded.actor_name, request_id = excluded.request_id, detail = excluded.detail,
           claimed_at = excluded.claimed_at, expires_at = excluded.expires_at
         WHERE action_claims.expires_at <= excluded.claimed_at`,
      )
      .run(
        scope,
        token,
        holder.action,
        holder.actorId,
        holder.actorName,
        holder.requestId,
        holder.detail,
        now,
        now + ACTION_CLAIM_TTL_MS,
      );
    if (changes === 1) return { ok: true, token };
    const row = this.db
      .prepare<[string], Row>(
        'SELECT action, actor_id, actor_name, request_id, detail, claimed_at FROM action_claims WHERE scope = ?',
      )
      .get(scope);
    // Released between the INSERT and this read: the caller may simply try again.
    if (!row) return this.claim(scope, holder, now);
    return {
      ok: false,
      holder: {
        action: row.action,
        actorId: row.actor_id,
        actorName: row.actor_name,
        requestId: row.request_id,
        detail: row.detail,
        claimedAt: new Date(row.claimed_at).toISOString(),
      },
    };
  }

  async release(scope: string, token: string): Promise<void> {
    this.db.prepare('DELETE FROM action_claims WHERE scope = ? AND token = ?').run(scope, token);
  }
}
