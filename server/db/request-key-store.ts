import 'server-only';
/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; its methods implement an async port */
import type { ConsoleDb } from './console-db';

/** How long a console Idempotency-Key is remembered (per user). */
export const REQUEST_KEY_TTL_MS = 24 * 3_600_000;

export type RequestKeyClaim =
  | { state: 'new' }
  | { state: 'done'; status: number; response: unknown }
  | { state: 'in_progress' }
  | { state: 'mismatch'; action: string };

/**
 * The console's Idempotency-Key records, per user: the first request with a key claims it;
 * a retry with the same key and the same inputs gets the stored response; the same key with
 * other inputs is refused. A DynamoDB implementation (conditional put) keeps this interface.
 */
export interface RequestKeyStore {
  claim(actorId: string, key: string, action: string, fingerprint: string, now?: number): Promise<RequestKeyClaim>;
  complete(actorId: string, key: string, status: number, response: unknown): Promise<void>;
  release(actorId: string, key: string): Promise<void>;
}

interface Row {
  action: string;
  fingerprint: string;
  status: string;
  response: string | null;
  http_status: number | null;
  expires_at: number;
}

export class SqliteRequestKeyStore implements RequestKeyStore {
  constructor(private readonly db: ConsoleDb) {}

  async claim(
    actorId: string,
    key: string,
    action: string,
    fingerprint: string,
    now = Date.now(),
  ): Promise<RequestKeyClaim> {
    return this.db
      .transaction((): RequestKeyClaim => {
        const row = this.db
          .prepare<[string, string], Row>(
            'SELECT action, fingerprint, status, response, http_status, expires_at FROM idempotency WHERE actor_id = ? AND key = ?',
          )
          .get(actorId, key);
        if (row && row.expires_at > now) {
          if (row.fingerprint !== fingerprint) return { state: 'mismatch', action: row.action };
          if (row.status === 'DONE')
            return {
              state: 'done',
              status: row.http_status ?? 200,
              response: row.response ? (JSON.parse(row.response) as unknown) : null,
            };
          return { state: 'in_progress' };
        }
        this.db
          .prepare(
            `INSERT INTO idempotency (key, actor_id, action, fingerprint, status, created_at, expires_at) VALUES (?, ?, ?, ?, 'IN_PROGRESS', ?, ?)
             ON CONFLICT (actor_id, key) DO UPDATE SET action = excluded.action, fingerprint = excluded.fingerprint, status = 'IN_PROGRESS',
               response = NULL, http_status = NULL, created_at = excluded.created_at, expires_at = excluded.expires_at`,
          )
          .run(key, actorId, action, fingerprint, now, now + REQUEST_KEY_TTL_MS);
        return { state: 'new' };
      })
      .immediate();
  }

  async complete(actorId: string, key: string, status: number, response: unknown): Promise<void> {
    this.db
      .prepare(`UPDATE idempotency SET status = 'DONE', http_status = ?, response = ? WHERE actor_id = ? AND key = ?`)
      .run(status, JSON.stringify(response ?? null), actorId, key);
  }

  async release(actorId: string, key: string): Promise<void> {
    this.db
      .prepare(`DELETE FROM idempotency WHERE actor_id = ? AND key = ? AND status = 'IN_PROGRESS'`)
      .run(actorId, key);
  }
}
