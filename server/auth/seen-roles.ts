import 'server-only';
/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; its methods implement an async port */
import type { ConsoleDb } from '../db/console-db';
import { callerSchema, type Caller } from './permissions.schema';

/**
 * With the aws backend the console has no user directory: a user's role is known only from the
 * OIDC token the ALB verifies on each of that user's requests. This store keeps, per user, the
 * role the identity provider LAST ASSERTED to this console (table `seen_roles` in console.db
 * locally, the state table on AWS), so an approved action can run with its requester's current
 * role rather than the role stored when they asked (server/ops/approvals.ts, OpsContext.users).
 *
 * Cheap on the request path: a per-process cache remembers what was written, and a request
 * writes only when the role or name changed (at once: a demotion must not wait) or when the
 * stored `seen_at` is older than SEEN_ROLE_REFRESH_MS. With several console processes on one
 * console.db, a process whose cache still matches the asserted role skips the write even if
 * another process wrote a different role meanwhile; the refresh interval bounds that lag.
 */
export const SEEN_ROLE_REFRESH_MS = 5 * 60_000;

/** Beyond this many users the cache starts over (it only saves writes; it holds no truth). */
const CACHE_LIMIT = 10_000;

interface Written {
  name: string;
  role: Caller['role'];
  seenAt: number;
}

/** One user's stored row: the role, name and time the identity provider last asserted. */
export interface SeenRoleRow {
  userId: string;
  name: string;
  role: string;
  seenAt: number;
}

/** The storage under a SeenRoleStore (SQLite table `seen_roles`, or the DynamoDB state table). */
export interface SeenRoleRows {
  upsert(caller: Caller, now: number): Promise<void>;
  select(userId: string): Promise<SeenRoleRow | undefined>;
}

/** The role the identity provider last asserted for each user (see the top of this file). */
export interface SeenRoleStore {
  /**
   * Records that the identity provider asserted `caller` (id, name, role) at `now`. Call it only
   * for a verified token. Resolves to whether it wrote; rejects when the storage refuses the
   * write (the cache is then left as it was, so the next request tries again).
   */
  record(caller: Caller, now: number): Promise<boolean>;
  /** When the identity provider last asserted this user's role to the console, or null if never. */
  lastSeenAt(userId: string): Promise<number | null>;
  /**
   * The user as the identity provider last asserted them to this console, or null when it never
   * did. Rejects when the stored role is not one the console knows (never guessed).
   */
  lastSeen(userId: string): Promise<Caller | null>;
}

/** The per-process write cache over any storage: writes only what changed or went stale. */
export class CachedSeenRoles implements SeenRoleStore {
  private readonly written = new Map<string, Written>();

  constructor(private readonly rows: SeenRoleRows) {}

  async record(caller: Caller, now: number): Promise<boolean> {
    const last = this.written.get(caller.id);
    if (
      last &&
      last.role === caller.role &&
      last.name === caller.name &&
      now >= last.seenAt &&
      now - last.seenAt < SEEN_ROLE_REFRESH_MS
    ) {
      return false;
    }
    await this.rows.upsert(caller, now);
    if (this.written.size >= CACHE_LIMIT && !this.written.has(caller.id)) this.written.clear();
    this.written.set(caller.id, { name: caller.name, role: caller.role, seenAt: now });
    return true;
  }

  async lastSeenAt(userId: string): Promise<number | null> {
    return (await this.rows.select(userId))?.seenAt ?? null;
  }

  async lastSeen(userId: string): Promise<Caller | null> {
    const row = await this.rows.select(userId);
    if (!row) return null;
    const parsed = callerSchema.safeParse({ id: row.userId, name: row.name, role: row.role });
    if (!parsed.success) {
      throw new Error(
        `seen_roles: the role last recorded for ${userId} (${JSON.stringify(row.role)}) is not a console role`,
      );
    }
    return parsed.data;
  }
}

const stores = new WeakMap<ConsoleDb, SeenRoleStore>();

/** The SQLite seen roles of a console.db (one cache per connection, as every process has one). */
export function sqliteSeenRoles(db: ConsoleDb): SeenRoleStore {
  let store = stores.get(db);
  if (!store) {
    const upsert = db.prepare<[string, string, string, number]>(
      `INSERT INTO seen_roles (user_id, name, role, seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(user_id) DO UPDATE SET name = excluded.name, role = excluded.role, seen_at = excluded.seen_at`,
    );
    const select = db.prepare<[string], { user_id: string; name: string; role: string; seen_at: number }>(
      'SELECT user_id, name, role, seen_at FROM seen_roles WHERE user_id = ?',
    );
    store = new CachedSeenRoles({
      upsert: async (caller, now) => {
        upsert.run(caller.id, caller.name, caller.role, now);
      },
      select: async (userId) => {
        const row = select.get(userId);
        return row && { userId: row.user_id, name: row.name, role: row.role, seenAt: row.seen_at };
      },
    });
    stores.set(db, store);
  }
  return store;
}
