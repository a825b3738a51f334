import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openConsoleDb, type ConsoleDb } from '../db/console-db';
import type { Caller } from './permissions.schema';
import { lastSeenAt, lastSeenCaller, recordSeenRole, SEEN_ROLE_REFRESH_MS } from './seen-roles';

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
  it('knows nobody it has never seen', () => {
    expect(lastSeenCaller(db, omar.id)).toBeNull();
    expect(lastSeenAt(db, omar.id)).toBeNull();
  });

  it('returns the caller as last recorded, with when', () => {
    expect(recordSeenRole(db, omar, T0)).toBe(true);
    expect(lastSeenCaller(db, omar.id)).toEqual(omar);
    expect(lastSeenAt(db, omar.id)).toBe(T0);
  });

  it('keeps one row per user, overwritten by the latest assertion', () => {
    recordSeenRole(db, omar, T0);
    recordSeenRole(db, { ...omar, role: 'approver', name: 'Omar O.' }, T0 + 1_000);
    expect(lastSeenCaller(db, omar.id)).toEqual({ id: omar.id, name: 'Omar O.', role: 'approver' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM seen_roles').get()).toEqual({ n: 1 });
  });

  it('skips the write while the same role and name were recorded less than the refresh interval ago', () => {
    recordSeenRole(db, omar, T0);
    const before = writes();
    expect(recordSeenRole(db, omar, T0 + 1_000)).toBe(false);
    expect(recordSeenRole(db, omar, T0 + SEEN_ROLE_REFRESH_MS - 1)).toBe(false);
    expect(writes()).toBe(before);
    expect(lastSeenAt(db, omar.id)).toBe(T0);
  });

  it('refreshes seen_at once the refresh interval has passed', () => {
    recordSeenRole(db, omar, T0);
    const before = writes();
    expect(recordSeenRole(db, omar, T0 + SEEN_ROLE_REFRESH_MS)).toBe(true);
    expect(writes()).toBe(before + 1);
    expect(lastSeenAt(db, omar.id)).toBe(T0 + SEEN_ROLE_REFRESH_MS);
  });

  it('writes a role change at once, without waiting for the refresh interval', () => {
    recordSeenRole(db, omar, T0);
    expect(recordSeenRole(db, { ...omar, role: 'viewer' }, T0 + 1_000)).toBe(true);
    expect(lastSeenCaller(db, omar.id)?.role).toBe('viewer');
    expect(lastSeenAt(db, omar.id)).toBe(T0 + 1_000);
  });

  it('writes a name change at once', () => {
    recordSeenRole(db, omar, T0);
    expect(recordSeenRole(db, { ...omar, name: 'Omar Renamed' }, T0 + 1_000)).toBe(true);
    expect(lastSeenCaller(db, omar.id)?.name).toBe('Omar Renamed');
  });

  it('retries on the next request after the database refused a write', () => {
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON seen_roles BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    expect(() => recordSeenRole(db, omar, T0)).toThrow(/disk says no/);
    db.exec('DROP TRIGGER refuse');
    expect(recordSeenRole(db, omar, T0 + 1_000)).toBe(true);
    expect(lastSeenCaller(db, omar.id)).toEqual(omar);
  });

  it('refuses to guess when the stored role is not a console role', () => {
    db.prepare("INSERT INTO seen_roles (user_id, name, role, seen_at) VALUES (?, 'X', 'superuser', ?)").run(
      'oidc-x',
      T0,
    );
    expect(() => lastSeenCaller(db, 'oidc-x')).toThrow(/seen_roles: the role last recorded for oidc-x \("superuser"\)/);
  });
});
