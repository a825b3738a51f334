import type Database from 'better-sqlite3';

/**
 * Brings a SQLite database up to the last of `migrations` (SQL scripts, never edited once
 * shipped; `user_version` counts those applied). All pending scripts run in one IMMEDIATE
 * transaction, so two processes opening the same file migrate it once, and a failing script
 * leaves the database at its previous version.
 */
export function applyMigrations(db: Database.Database, migrations: readonly string[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current >= migrations.length) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const v = db.pragma('user_version', { simple: true }) as number; // re-read under the write lock
    for (let i = v; i < migrations.length; i++) {
      db.exec(migrations[i]!);
      db.pragma(`user_version = ${i + 1}`);
    }
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}
