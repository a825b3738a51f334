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
});
