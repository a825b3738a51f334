import 'server-only';
import type { ConsoleDb } from '../db/console-db';
import { dummyHash, hashPassword, verifyPassword } from './password';
import type { Caller, Role } from './permissions.schema';

/**
 * Local mode's seeded users, one or more per role. Their password is the development password
 * below, documented in the README (local backend only: with the aws backend, identity comes
 * from the ALB's OIDC token and this table is never used).
 */
export const LOCAL_DEV_PASSWORD = 'ledgerline-local';

export const seededUsers: readonly { id: string; email: string; name: string; role: Role }[] = [
  { id: 'u-viewer', email: 'viewer@ledgerline.local', name: 'Vera Viewer', role: 'viewer' },
  { id: 'u-operator', email: 'operator@ledgerline.local', name: 'Omar Operator', role: 'operator' },
  { id: 'u-operator2', email: 'operator2@ledgerline.local', name: 'Olga Operator', role: 'operator' },
  { id: 'u-approver', email: 'approver@ledgerline.local', name: 'Ada Approver', role: 'approver' },
  { id: 'u-admin', email: 'admin@ledgerline.local', name: 'Alex Admin', role: 'admin' },
];

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
}

const seeding = new WeakMap<ConsoleDb, Promise<void>>();

/** Inserts the seeded users once per database (missing ones only). */
export function seedLocalUsers(db: ConsoleDb): Promise<void> {
  let done = seeding.get(db);
  if (!done) {
    done = (async () => {
      const existing = new Set(
        db
          .prepare<[], { id: string }>('SELECT id FROM users')
          .all()
          .map((u) => u.id),
      );
      const missing = seededUsers.filter((u) => !existing.has(u.id));
      const rows = await Promise.all(
        missing.map(async (u) => ({ ...u, hash: await hashPassword(LOCAL_DEV_PASSWORD) })),
      );
      const insert = db.prepare(
        'INSERT OR IGNORE INTO users (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      );
      db.transaction(() => {
        for (const u of rows) insert.run(u.id, u.email, u.name, u.role, u.hash, Date.now());
      })();
    })();
    seeding.set(db, done);
  }
  return done;
}

/** The caller for these credentials, or null (same work whether the user exists or not). */
export async function authenticateLocal(db: ConsoleDb, email: string, password: string): Promise<Caller | null> {
  await seedLocalUsers(db);
  const row = db
    .prepare<[string], UserRow>('SELECT id, email, name, role, password_hash FROM users WHERE email = ?')
    .get(email.trim().toLowerCase());
  const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash()));
  if (!row || !ok) return null;
  return { id: row.id, name: row.name, role: row.role };
}

export function findLocalUser(db: ConsoleDb, id: string): Caller | null {
  const row = db
    .prepare<[string], UserRow>('SELECT id, email, name, role, password_hash FROM users WHERE id = ?')
    .get(id);
  return row ? { id: row.id, name: row.name, role: row.role } : null;
}

/** A seeded user the local sign-in page offers as a one-click sign-in. */
export interface SeededSignIn {
  email: string;
  name: string;
  role: Role;
  password: string;
}

/**
 * The one-click sign-ins of the sign-in page: the seeded users with the development password,
 * with the local backend only. With any other backend nothing (no seeded credential may reach a
 * browser there; identity comes from the ALB's OIDC token).
 */
export function seededSignIns(backend: 'local' | 'aws'): SeededSignIn[] {
  if (backend !== 'local') return [];
  return seededUsers.map((u) => ({ email: u.email, name: u.name, role: u.role, password: LOCAL_DEV_PASSWORD }));
}
