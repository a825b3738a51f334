/**
 * Test support: a SQLite ledger in memory with two USD accounts, `a` (1,000) and `b` (0), and
 * the transaction that moves 700 from `a` to `b`: what the saga-step, generated-ASL and store
 * tests run the real steps on.
 */
import Database from 'better-sqlite3';
import { migrate, type Db } from './db';

export const fixtureTransaction = {
  transactionId: 'tx-1',
  fromAccount: 'a',
  toAccount: 'b',
  amount: 700,
  currency: 'USD',
  createdAt: '2026-01-01T00:00:00.000Z',
};

/** A migrated in-memory database holding accounts `a` (1,000 USD) and `b` (0 USD). */
export function twoAccountDb(): Db {
  const db = new Database(':memory:');
  migrate(db);
  const add = db.prepare("INSERT INTO accounts VALUES (?, 'USD', ?, 0, 0, ?, 0)");
  add.run('a', 1000, 1000);
  add.run('b', 0, 0);
  return db;
}

/** Balance and held amount of account `id`. */
export const accountOf = (db: Db, id: string) =>
  db.prepare<[string], { balance: number; held: number }>('SELECT balance, held FROM accounts WHERE id = ?').get(id)!;
