import 'server-only';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerSummarySchema, type LedgerSummary } from '../platform.schema';
import { PlatformError } from '../port';
import type { Ctx } from './clients';
import { call } from './errors';
import { LEDGER } from './layout';

/**
 * The ledger summary from the ledger table (layout in ./layout.ts): a full, paged Scan of the
 * account and hold items (the only way to sum every balance), and the expected total item.
 * Its cost grows with the number of accounts: fine for the console's occasional check, not
 * for a dashboard polled every second.
 */
export async function getLedgerSummary(ctx: Ctx): Promise<LedgerSummary> {
  const table = ctx.config.ledgerTable;
  if (!table)
    throw new PlatformError(
      'Unavailable',
      'the ledger summary needs the ledger table and this stack does not output one (LedgerTableName)',
    );
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
  return ledgerSummarySchema.parse({
    accounts,
    totalBalance,
    expectedTotal: expected,
    balanced: totalBalance === expected,
    openHolds,
    heldAmount,
  });
}
