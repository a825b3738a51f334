import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE, ENGINE_PAGE_SIZE, openDatabase } from './db';
import { removeDataDir, tempDataDir } from './test-support';

describe('the engine database', () => {
  let dir = '';
  afterEach(() => removeDataDir(dir));

  it('creates a new data dir with the engine page size, in WAL mode', () => {
    dir = tempDataDir('db');
    const db = openDatabase(dir);
    expect(db.pragma('page_size', { simple: true })).toBe(ENGINE_PAGE_SIZE);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('opens a data dir made with another page size as it is, and migrates it', () => {
    dir = tempDataDir('db-4k');
    const old = new Database(path.join(dir, DB_FILE));
    old.pragma('page_size = 4096');
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE keep_me (k TEXT PRIMARY KEY)');
    old.prepare('INSERT INTO keep_me VALUES (?)').run('there');
    old.close();
    const db = openDatabase(dir);
    expect(db.pragma('page_size', { simple: true })).toBe(4096);
    expect(db.prepare('SELECT k FROM keep_me').pluck().get()).toBe('there');
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'sagas'").pluck().get()).toBe(1);
    db.close();
  });

  it('migrates a data dir at migration 4 whose task-record tables the old setup code made, keeping their rows', () => {
    dir = tempDataDir('db-m4');
    const setup = openDatabase(dir);
    // As a data dir left by the engine before migration 5: user_version 4, the two tables there.
    setup.pragma('user_version = 4');
    setup.prepare('INSERT INTO redrive_moved VALUES (?, ?, ?)').run('r-1', 7, 'tx-7');
    setup.prepare('INSERT INTO replay_options VALUES (?, ?, ?)').run('replay-1', 1, 50);
    setup.close();
    const db = openDatabase(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(5);
    expect(db.prepare('SELECT task_id, message_id, transaction_id FROM redrive_moved').all()).toEqual([
      { task_id: 'r-1', message_id: 7, transaction_id: 'tx-7' },
    ]);
    expect(db.prepare('SELECT name, exclude_dead_lettered, rate FROM replay_options').all()).toEqual([
      { name: 'replay-1', exclude_dead_lettered: 1, rate: 50 },
    ]);
    db.close();
  });

  it('creates the task-record tables at migration 5 on a data dir at 4 without them', () => {
    dir = tempDataDir('db-m4-bare');
    const setup = openDatabase(dir);
    setup.exec('DROP TABLE redrive_moved; DROP TABLE replay_options;');
    setup.pragma('user_version = 4');
    setup.close();
    const db = openDatabase(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(5);
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE name IN ('redrive_moved', 'redrive_moved_message', 'replay_options') ORDER BY name",
      )
      .pluck()
      .all();
    expect(tables).toEqual(['redrive_moved', 'redrive_moved_message', 'replay_options']);
    db.close();
  });
});
