/**
 * Reconciliation of the embedded ledger: proves money is conserved and every transaction's
 * effects match its saga's outcome. Used by the conservation test and the crash benchmark.
 */
import type { Db } from './db';

export interface Reconciliation {
  expectedTotal: number;
  totalBalance: number;
  balanced: boolean;
  /** Accounts whose balance differs from opening balance + journal (a double or lost update). */
  accountsMismatched: number;
  /** Accounts whose `held` differs from the sum of their open holds. */
  heldMismatched: number;
  sagasByStatus: Record<string, number>;
  /** Sagas whose ledger effects do not match their status (e.g. SUCCEEDED without a post). */
  inconsistent: number;
  inconsistentSample: string[];
  /** Ledger effects (holds, journal) of transactions that have no saga. */
  orphanEffects: number;
}

export function reconcile(db: Db): Reconciliation {
  const expectedTotal = Number(
    db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'expected_total'").get()?.value ?? NaN,
  );
  const totalBalance = db.prepare<[], { t: number }>('SELECT coalesce(sum(balance), 0) AS t FROM accounts').get()!.t;
  const accountsMismatched = db
    .prepare<[], { n: number }>(
      `SELECT count(*) AS n FROM accounts a WHERE a.balance != a.opening_balance
         + coalesce((SELECT sum(amount) FROM journal WHERE credit_account = a.id), 0)
         - coalesce((SELECT sum(amount) FROM journal WHERE debit_account = a.id), 0)`,
    )
    .get()!.n;
  const heldMismatched = db
    .prepare<[], { n: number }>(
      `SELECT count(*) AS n FROM accounts a WHERE a.held != coalesce((SELECT sum(amount) FROM holds WHERE account = a.id AND state = 'HELD'), 0)
         OR a.open_holds != (SELECT count(*) FROM holds WHERE account = a.id AND state = 'HELD')`,
    )
    .get()!.n;
  const sagasByStatus = Object.fromEntries(
    db
      .prepare<[], { status: string; n: number }>('SELECT status, count(*) AS n FROM sagas GROUP BY status')
      .all()
      .map((r) => [r.status, r.n]),
  );
  const bad = db
    .prepare<[], { id: string; status: string }>(
      `SELECT s.id, s.status FROM sagas s
         LEFT JOIN journal p ON p.transaction_id = s.id AND p.kind = 'POST'
         LEFT JOIN journal r ON r.transaction_id = s.id AND r.kind = 'REVERSE'
         LEFT JOIN holds h ON h.transaction_id = s.id
         LEFT JOIN settlements x ON x.transaction_id = s.id
       WHERE (s.status = 'SUCCEEDED' AND NOT (p.transaction_id IS NOT NULL AND r.transaction_id IS NULL AND h.state = 'CAPTURED' AND x.state = 'SETTLED'))
          OR (s.status = 'COMPENSATED' AND NOT ((p.transaction_id IS NULL OR r.transaction_id IS NOT NULL) AND (h.state IS NULL OR h.state = 'RELEASED') AND (x.state IS NULL OR x.state = 'VOIDED')))`,
    )
    .all();
  const orphanEffects = db
    .prepare<[], { n: number }>(
      `SELECT (SELECT count(*) FROM holds h WHERE NOT EXISTS (SELECT 1 FROM sagas s WHERE s.id = h.transaction_id))
            + (SELECT count(*) FROM journal j WHERE NOT EXISTS (SELECT 1 FROM sagas s WHERE s.id = j.transaction_id)) AS n`,
    )
    .get()!.n;
  return {
    expectedTotal,
    totalBalance,
    balanced: totalBalance === expectedTotal,
    accountsMismatched,
    heldMismatched,
    sagasByStatus,
    inconsistent: bad.length,
    inconsistentSample: bad.slice(0, 10).map((b) => `${b.id}:${b.status}`),
    orphanEffects,
  };
}

/** Balances by account (to prove a redrive or replay changed nothing). */
export function balances(db: Db): Record<string, number> {
  return Object.fromEntries(
    db
      .prepare<[], { id: string; balance: number }>('SELECT id, balance FROM accounts ORDER BY id')
      .all()
      .map((r) => [r.id, r.balance]),
  );
}
