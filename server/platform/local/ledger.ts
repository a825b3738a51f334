import 'server-only';
import type { LedgerSummary } from '../platform.schema';
import type { LocalContext } from './context';

/** The ledger's totals, against the total the engine expects (money is conserved). */
export function createLedger(ctx: LocalContext) {
  const ledger = ctx.db.prepare<
    [],
    { accounts: number; total: number | null; held: number | null; holds: number | null }
  >('SELECT count(*) AS accounts, sum(balance) AS total, sum(held) AS held, sum(open_holds) AS holds FROM accounts');

  return {
    getLedgerSummary(): LedgerSummary {
      const r = ledger.get() ?? { accounts: 0, total: 0, held: 0, holds: 0 };
      const expected = Number(ctx.meta('expected_total') ?? r.total ?? 0);
      const total = r.total ?? 0;
      return {
        accounts: r.accounts,
        totalBalance: total,
        expectedTotal: expected,
        balanced: total === expected,
        openHolds: r.holds ?? 0,
        heldAmount: r.held ?? 0,
      };
    },
  };
}
