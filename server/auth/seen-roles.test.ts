import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openConsoleDb, type ConsoleDb } from '../db/console-db';
import type { Caller } from './permissions.schema';
import { SEEN_ROLE_REFRESH_MS, sqliteSeenRoles } from './seen-roles';

const omar: Caller = { id: 'oidc-omar', name: 'omar@bank.example', role: 'operator' };
const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);

let dir: string;
let db: ConsoleDb;

/** Rows this connection has inserted or updated so far (SQLite's own counter). */
function writes(): number {
  return db.prepare<[], { n: number }>('SELECT total_changes() AS n').get()!.n;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-seen-roles-'));
  db = openConsoleDb(dir);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the role last asserted for each user', () => {
  it('knows nobody it has never seen', async () => {
    expect(await sqliteSeenRoles(db).lastSeen(omar.id)).toBeNull();
    expect(await sqliteSeenRoles(db).lastSeenAt(omar.id)).toBeNull();
  });

  it('returns the caller as last recorded, with when', async () => {
    expect(await sqliteSeenRoles(db).record(omar, T0)).toBe(true);
    expect(await sqliteSeenRoles(db).lastSeen(omar.id)).toEqual(omar);
    expect(await sqliteSeenRoles(db).lastSeenAt(omar.id)).toBe(T0);
  });

  it('keeps one row per user, overwritten by the latest assertion', async () => {
    await sqliteSeenRoles(db).record(omar, T0);
    await sqliteSeenRoles(db).record({ ...omar, role: 'approver', name: 'Omar O.' }, T0 + 1_000);
    expect(await sqliteSeenRoles(db).lastSeen(omar.id)).toEqual({ id: omar.id, name: 'Omar O.', role: 'approver' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM seen_roles').get()).toEqual({ n: 1 });
  });

  it('skips the write while the same role and name were recorded less than the refresh interval ago', async () => {
    await sqliteSeenRoles(db).record(omar, T0);
    const before = writes();
    expect(await sqliteSeenRoles(db).record(omar, T0 + 1_000)).toBe(false);
    expect(await sqliteSeenRoles(db).record(omar, T0 + SEEN_ROLE_REFRESH_MS - 1)).toBe(false);
    expect(writes()).toBe(before);
    expect(await sqliteSeenRoles(db).lastSeenAt(omar.id)).toBe(T0);
  });

  it('refreshes seen_at once the refresh interval has passed', async () => {
    await sqliteSeenRoles(db).record(omar, T0);
    const before = writes();
    expect(await sqliteSeenRoles(db).record(omar, T0 + SEEN_ROLE_REFRESH_MS)).toBe(true);
    expect(writes()).toBe(before + 1);
    expect(await sqliteSeenRoles(db).lastSeenAt(omar.id)).toBe(T0 + SEEN_ROLE_REFRESH_MS);
  });

  it('writes a role change at once, without waiting for the refresh interval', async () => {
    await sqliteSeenRoles(db).record(omar, T0);
    expect(await sqliteSeenRoles(db).record({ ...omar, role: 'viewer' }, T0 + 1_000)).toBe(true);
    expect((await sqliteSeenRoles(db).lastSeen(omar.id))?.role).toBe('viewer');
    expect(await sqliteSeenRoles(db).lastSeenAt(omar.id)).toBe(T0 + 1_000);
  });

  it('writes a name change at once', async () => {
    await sqliteSeenRoles(db).record(omar, T0);
    expect(await sqliteSeenRoles(db).record({ ...omar, name: 'Omar Renamed' }, T0 + 1_000)).toBe(true);
    expect((await sqliteSeenRoles(db).lastSeen(omar.id))?.name).toBe('Omar Renamed');
  });

  it('retries on the next request after the database refused a write', async () => {
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON seen_roles BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    await expect(sqliteSeenRoles(db).record(omar, T0)).rejects.toThrow(/disk says no/);
    db.exec('DROP TRIGGER refuse');
    expect(await sqliteSeenRoles(db).record(omar, T0 + 1_000)).toBe(true);
    expect(await sqliteSeenRoles(db).lastSeen(omar.id)).toEqual(omar);
  });

  it('refuses to guess when the stored role is not a console role', async () => {
    db.prepare("INSERT INTO seen_roles (user_id, name, role, seen_at) VALUES (?, 'X', 'superuser', ?)").run(
      'oidc-x',
      T0,
    );
    await expect(sqliteSeenRoles(db).lastSeen('oidc-x')).rejects.toThrow(
      /seen_roles: the role last recorded for oidc-x \("superuser"\)/,
    );
  });
});
