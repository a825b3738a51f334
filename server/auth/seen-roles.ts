import 'server-only';
import type { ConsoleDb } from '../db/console-db';
import { callerSchema, type Caller } from './permissions.schema';

/**
 * With the aws backend the console has no user directory: a user's role is known only from the
 * OIDC token the ALB verifies on each of that user's requests. This store keeps, per user, the
 * role the identity provider LAST ASSERTED to this console (table `seen_roles`, console.db), so
 * an approved action can run with its requester's current role rather than the role stored when
 * they asked (server/ops/approvals.ts, through OpsContext.users).
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

interface Store {
  written: Map<string, Written>;
  upsert: (caller: Caller, now: number) => void;
  select: (userId: string) => { user_id: string; name: string; role: string; seen_at: number } | undefined;
}

const stores = new WeakMap<ConsoleDb, Store>();

function storeOf(db: ConsoleDb): Store {
  let store = stores.get(db);
  if (!store) {
    const upsert = db.prepare<[string, string, string, number]>(
      `INSERT INTO seen_roles (user_id, name, role, seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(user_id) DO UPDATE SET name = excluded.name, role = excluded.role, seen_at = excluded.seen_at`,
    );
    const select = db.prepare<[string], { user_id: string; name: string; role: string; seen_at: number }>(
      'SELECT user_id, name, role, seen_at FROM seen_roles WHERE user_id = ?',
    );
    store = {
      written: new Map(),
      upsert: (caller, now) => upsert.run(caller.id, caller.name, caller.role, now),
      select: (userId) => select.get(userId),
    };
    stores.set(db, store);
  }
  return store;
}

/**
 * Records that the identity provider asserted `caller` (id, name, role) at `now`. Call it only
 * for a verified token. Returns whether it wrote; throws when the database refuses the write
 * (the cache is then left as it was, so the next request tries again).
 */
export function recordSeenRole(db: ConsoleDb, caller: Caller, now: number): boolean {
  const store = storeOf(db);
  const last = store.written.get(caller.id);
  if (
    last &&
    last.role === caller.role &&
    last.name === caller.name &&
    now >= last.seenAt &&
    now - last.seenAt < SEEN_ROLE_REFRESH_MS
  ) {
    return false;
  }
  store.upsert(caller, now);
  if (store.written.size >= CACHE_LIMIT && !store.written.has(caller.id)) store.written.clear();
  store.written.set(caller.id, { name: caller.name, role: caller.role, seenAt: now });
  return true;
}

/** When the identity provider last asserted this user's role to the console, or null if never. */
export function lastSeenAt(db: ConsoleDb, userId: string): number | null {
  return storeOf(db).select(userId)?.seen_at ?? null;
}

/**
 * The user as the identity provider last asserted them to this console, or null when it never
 * did. Throws when the stored role is not one the console knows (never guessed).
 */
export function lastSeenCaller(db: ConsoleDb, userId: string): Caller | null {
  const row = storeOf(db).select(userId);
  if (!row) return null;
  const parsed = callerSchema.safeParse({ id: row.user_id, name: row.name, role: row.role });
  if (!parsed.success) {
    throw new Error(
      `seen_roles: the role last recorded for ${userId} (${JSON.stringify(row.role)}) is not a console role`,
    );
  }
  return parsed.data;
}
