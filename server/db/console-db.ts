import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { applyMigrations } from '@/infra/embedded/sqlite-migrations';

/**
 * The console's own SQLite database (`console.db` in LEDGERLINE_DATA_DIR, apart from the
 * embedded platform's): local users and sessions, the append-only audit log, approvals,
 * idempotency keys, claims of write actions in flight, the redrives it started and (aws backend)
 * the role last asserted for each user. WAL, migrations by
 * PRAGMA user_version inside BEGIN IMMEDIATE.
 * The audit table refuses UPDATE and DELETE at the database level (triggers).
 */
export type ConsoleDb = Database.Database;
export const CONSOLE_DB_FILE = 'console.db';

const migrations: string[] = [
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL,
    password_hash TEXT NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;

  CREATE TABLE sessions (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;

  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, request_id TEXT NOT NULL,
    actor_id TEXT NOT NULL, actor_name TEXT NOT NULL, role TEXT NOT NULL,
    action TEXT NOT NULL, outcome TEXT NOT NULL, target TEXT, reason TEXT, ticket TEXT,
    approval_id TEXT, idempotency_key TEXT, inputs TEXT, result TEXT,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
  CREATE INDEX audit_at ON audit(at);
  CREATE INDEX audit_action ON audit(action, at);
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

  CREATE TABLE approvals (
    id TEXT PRIMARY KEY, action TEXT NOT NULL, target TEXT NOT NULL, input TEXT NOT NULL, preview TEXT,
    reason TEXT NOT NULL, ticket TEXT NOT NULL, requested_by TEXT NOT NULL, requested_by_name TEXT NOT NULL,
    requested_role TEXT NOT NULL, requested_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
    status TEXT NOT NULL, decided_by TEXT, decided_by_name TEXT, decided_at INTEGER, decision_comment TEXT,
    result TEXT, executed_at INTEGER) WITHOUT ROWID;
  CREATE INDEX approvals_status ON approvals(status, requested_at);

  CREATE TABLE idempotency (
    key TEXT NOT NULL, actor_id TEXT NOT NULL, action TEXT NOT NULL, fingerprint TEXT NOT NULL,
    status TEXT NOT NULL, response TEXT, http_status INTEGER, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
    PRIMARY KEY (actor_id, key)) WITHOUT ROWID;
  `,
  // 2: with the aws backend, the role the identity provider last asserted for each user
  // (server/auth/seen-roles.ts), so an approved action can run with the requester's current role.
  `
  CREATE TABLE seen_roles (
    user_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, seen_at INTEGER NOT NULL) WITHOUT ROWID;
  `,
  // 3: claims of write actions in flight (server/db/action-claim-store.ts): one row per scope
  // (the primary key is the unique index), so a second identical action is refused while the
  // first runs, in every request handler and process sharing this file.
  `
  CREATE TABLE action_claims (
    scope TEXT PRIMARY KEY, token TEXT NOT NULL, action TEXT NOT NULL, actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL, request_id TEXT NOT NULL, detail TEXT NOT NULL,
    claimed_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
  `,
  // 4: the redrives the console started (server/db/sqlite-redrive-store.ts): one row per redrive,
  // the selected-run columns NULL for a message-move task; class_ids and moved_tx are JSON.
  `
  CREATE TABLE redrives (
    id TEXT PRIMARY KEY, queue_id TEXT NOT NULL, source_arn TEXT NOT NULL, region TEXT NOT NULL,
    created_at INTEGER NOT NULL, started_by TEXT, started_at INTEGER, requested_at INTEGER,
    accepted_at INTEGER, depth_before INTEGER,
    status TEXT, moved INTEGER, total INTEGER, rate REAL, selection TEXT, class_ids TEXT, ended_at INTEGER,
    failure_reason TEXT, heartbeat_at INTEGER, hold_seconds INTEGER, moved_tx TEXT) WITHOUT ROWID;
  CREATE INDEX redrives_queue ON redrives(queue_id, created_at);
  `,
];

function migrate(db: ConsoleDb): void {
  applyMigrations(db, migrations);
}

export function openConsoleDb(dataDir: string): ConsoleDb {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, CONSOLE_DB_FILE));
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  return db;
}

const open = new Map<string, ConsoleDb>();

/** One connection per data dir per process (route handlers, server components). */
export function consoleDb(dataDir: string): ConsoleDb {
  const key = path.resolve(dataDir);
  let db = open.get(key);
  if (!db) {
    db = openConsoleDb(dataDir);
    open.set(key, db);
  }
  return db;
}
