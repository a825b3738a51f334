import 'server-only';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LEDGER } from '../../../infra/platform/layout';
import { ledgerSummarySchema, type LedgerSummary } from '../platform.schema';
import { PlatformError } from '../port';
import type { Ctx } from './clients';
import { call } from './errors';

interface LedgerPass {
  accounts: number;
  totalBalance: number;
  expectedTotal: number;
  openHolds: number;
  heldAmount: number;
}

/** At most this many full scans per summary: the first, and re-scans while the totals disagree. */
export const LEDGER_SCAN_PASSES = 3;
/** Pause before a re-scan, so a transfer caught half-way has committed on both accounts. */
export const LEDGER_RESCAN_PAUSE_MS = 250;

/**
 * The ledger summary from the ledger table (layout in ./layout.ts): a full, paged Scan of the
 * account and hold items (the only way to sum every balance), and the expected total item.
 * Its cost grows with the number of accounts: fine for the console's occasional check, not
 * for a dashboard polled every second.
 *
 * A Scan is not a snapshot: pages are read one after the other (ConsistentRead makes each page
 * current, not the pages consistent with each other), so a transfer committing between the page
 * holding its debit and the page holding its credit shows a gap while money is conserved. So a
 * gap is checked by re-scanning (up to LEDGER_SCAN_PASSES scans in all): balanced as soon as a
 * pass balances, unbalanced when the same gap shows twice in a row, or when no pass balanced.
 * (LedgerSummary has no field for the number of passes; the shared schema is unchanged.)
 */
export async function getLedgerSummary(ctx: Ctx): Promise<LedgerSummary> {
  const table = ctx.config.ledgerTable;
  if (!table)
    throw new PlatformError(
      'Unavailable',
      'the ledger summary needs the ledger table and this stack does not output one (LedgerTableName)',
    );
  let pass = await scanLedger(ctx, table);
  for (let attempt = 2; attempt <= LEDGER_SCAN_PASSES; attempt++) {
    const gap = pass.totalBalance - pass.expectedTotal;
    if (gap === 0) break;
    await ctx.sleep(LEDGER_RESCAN_PAUSE_MS);
    const next = await scanLedger(ctx, table);
    const persists = next.totalBalance - next.expectedTotal === gap;
    pass = next;
    if (persists) break;
  }
  return ledgerSummarySchema.parse({ ...pass, balanced: pass.totalBalance === pass.expectedTotal });
}

/** One full pass: every page of the Scan (strongly consistent reads), then the expected total. */
async function scanLedger(ctx: Ctx, table: string): Promise<LedgerPass> {
  let accounts = 0;
  let totalBalance = 0;
  let openHolds = 0;
  let heldAmount = 0;
  let key: Record<string, unknown> | undefined;
  do {
    const res = await call(`Scan ${table}`, () =>
      ctx.aws.dynamodb.send(
        new ScanCommand({
          TableName: table,
          ConsistentRead: true,
          FilterExpression:
            '(begins_with(#pk, :acct) AND #sk = :acctSk) OR (begins_with(#pk, :hold) AND #sk = :holdSk AND #state = :held)',
          ProjectionExpression: '#pk, #sk, balance, amount, #state',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#state': 'state' },
          ExpressionAttributeValues: {
            ':acct': LEDGER.accountPrefix,
            ':acctSk': LEDGER.accountSk,
            ':hold': LEDGER.holdPrefix,
            ':holdSk': LEDGER.holdSk,
            ':held': 'HELD',
          },
          ExclusiveStartKey: key,
        }),
      ),
    );
    for (const item of res.Items ?? []) {
      const pk = String(item.pk);
      if (pk.startsWith(LEDGER.accountPrefix)) {
        if (typeof item.balance !== 'number')
          throw new PlatformError('Unavailable', `ledger item ${pk} has no numeric balance`);
        accounts++;
        totalBalance += item.balance;
      } else if (pk.startsWith(LEDGER.holdPrefix)) {
        if (typeof item.amount !== 'number')
          throw new PlatformError('Unavailable', `ledger item ${pk} has no numeric amount`);
        openHolds++;
        heldAmount += item.amount;
      }
    }
    key = res.LastEvaluatedKey;
  } while (key);
  const total = await call(`GetItem ${table} expected total`, () =>
    ctx.aws.dynamodb.send(new GetCommand({ TableName: table, Key: { ...LEDGER.totalKey }, ConsistentRead: true })),
  );
  const expected: unknown = total.Item?.expectedTotal;
  if (typeof expected !== 'number') {
    throw new PlatformError(
      'Unavailable',
      `ledger table ${table} has no expected total item (pk ${LEDGER.totalKey.pk}, sk ${LEDGER.totalKey.sk})`,
    );
  }
  return { accounts, totalBalance, expectedTotal: expected, openHolds, heldAmount };
}
