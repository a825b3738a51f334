import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { RowBatch } from './row-batch';

function table() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL UNIQUE, v INTEGER)');
  return db;
}
const rows = (db: Database.Database) => db.prepare('SELECT id, k, v FROM t ORDER BY id').all();

describe('RowBatch', () => {
  it('writes every row in order, full chunks and the remainder, with the rowids a row-by-row insert gives', () => {
    const db = table();
    const batch = new RowBatch(db, 'INSERT INTO t (k, v)', 2, 4);
    const lasts: (number | null)[] = [];
    for (let i = 0; i < 10; i++) lasts.push(batch.add(`k${i}`, i === 3 ? null : i * 10));
    expect(batch.buffered).toBe(2);
    lasts.push(batch.flush());
    expect(lasts).toEqual([null, null, null, 4, null, null, null, 8, null, null, 10]);
    expect(rows(db)).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ id: i + 1, k: `k${i}`, v: i === 3 ? null : i * 10 })),
    );
    expect(batch.flush()).toBeNull();
  });

  it('raises the constraint error of a full chunk and writes none of its rows', () => {
    const db = table();
    db.prepare("INSERT INTO t (k, v) VALUES ('dup', 0)").run();
    const batch = new RowBatch(db, 'INSERT INTO t (k, v)', 2, 3);
    batch.add('a', 1);
    batch.add('dup', 2);
    expect(() => batch.add('c', 3)).toThrow(/UNIQUE constraint failed: t.k/);
    expect(rows(db)).toEqual([{ id: 1, k: 'dup', v: 0 }]);
  });

  it('rejects a row with the wrong number of values and drops buffered rows on discard', () => {
    const db = table();
    const batch = new RowBatch(db, 'INSERT INTO t (k, v)', 2, 4);
    expect(() => batch.add('only-one')).toThrow('RowBatch: 1 values for 2 columns');
    batch.add('a', 1);
    batch.discard();
    expect(batch.flush()).toBeNull();
    expect(rows(db)).toEqual([]);
  });
});
