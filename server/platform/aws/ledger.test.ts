import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ledgerSummarySchema } from '../platform.schema';
import { LEDGER_RESCAN_PAUSE_MS, LEDGER_SCAN_PASSES } from './ledger';
import { callerOf, testConfig, testPlatform } from './testing';

const ddb = mockClient(DynamoDBDocumentClient);
mockClient(DynamoDBClient);
const viewer = callerOf('viewer');

beforeEach(() => ddb.reset());

describe('ledger summary', () => {
  it('sums every account over all Scan pages and compares with the expected total', async () => {
    ddb
      .on(ScanCommand)
      .resolvesOnce({
        Items: [
          { pk: 'ACCOUNT#a', sk: 'ACCOUNT', balance: 700 },
          { pk: 'HOLD#tx-1', sk: 'HOLD', amount: 50, state: 'HELD' },
        ],
        LastEvaluatedKey: { pk: 'HOLD#tx-1', sk: 'HOLD' },
      })
      .resolvesOnce({ Items: [{ pk: 'ACCOUNT#b', sk: 'ACCOUNT', balance: 300 }] });
    ddb.on(GetCommand).resolves({ Item: { pk: 'LEDGER', sk: 'EXPECTED_TOTAL', expectedTotal: 1000 } });
    const { platform } = testPlatform();
    const summary = await platform.getLedgerSummary(viewer);
    expect(ledgerSummarySchema.parse(summary)).toEqual({
      accounts: 2,
      totalBalance: 1000,
      expectedTotal: 1000,
      balanced: true,
      openHolds: 1,
      heldAmount: 50,
    });
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(2);
    expect(ddb.commandCalls(ScanCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'HOLD#tx-1', sk: 'HOLD' });
    expect(ddb.commandCalls(ScanCommand).every((c) => c.args[0].input.ConsistentRead === true)).toBe(true);
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'ledgerline-staging-ledger',
      Key: { pk: 'LEDGER', sk: 'EXPECTED_TOTAL' },
      ConsistentRead: true,
    });
  });

  it('reports an unbalanced ledger when a re-scan finds the same gap', async () => {
    ddb.on(ScanCommand).resolves({ Items: [{ pk: 'ACCOUNT#a', sk: 'ACCOUNT', balance: 999 }] });
    ddb.on(GetCommand).resolves({ Item: { expectedTotal: 1000 } });
    const { platform, sleeps } = testPlatform();
    expect(await platform.getLedgerSummary(viewer)).toMatchObject({ balanced: false, totalBalance: 999 });
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(2);
    expect(sleeps).toEqual([LEDGER_RESCAN_PAUSE_MS]);
  });

  it('does not report a transfer that committed between two Scan pages as an unbalanced ledger', async () => {
    // Pass 1 reads A=100 on page 1, then a transfer moves 50 from A to B, then page 2 reads B=150.
    // Pass 2 sees the committed state on both accounts.
    ddb
      .on(ScanCommand)
      .resolvesOnce({
        Items: [{ pk: 'ACCOUNT#A', sk: 'ACCOUNT', balance: 100 }],
        LastEvaluatedKey: { pk: 'ACCOUNT#A', sk: 'ACCOUNT' },
      })
      .resolvesOnce({ Items: [{ pk: 'ACCOUNT#B', sk: 'ACCOUNT', balance: 150 }] })
      .resolves({
        Items: [
          { pk: 'ACCOUNT#A', sk: 'ACCOUNT', balance: 50 },
          { pk: 'ACCOUNT#B', sk: 'ACCOUNT', balance: 150 },
        ],
      });
    ddb.on(GetCommand).resolves({ Item: { expectedTotal: 200 } });
    const { platform } = testPlatform();
    expect(await platform.getLedgerSummary(viewer)).toEqual({
      accounts: 2,
      totalBalance: 200,
      expectedTotal: 200,
      balanced: true,
      openHolds: 0,
      heldAmount: 0,
    });
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(3);
    // The re-scan starts again from the first page.
    expect(ddb.commandCalls(ScanCommand)[2]!.args[0].input.ExclusiveStartKey).toBeUndefined();
  });

  it(`stops after ${LEDGER_SCAN_PASSES} scans and reports unbalanced when no pass balances`, async () => {
    let balance = 990;
    ddb.on(ScanCommand).callsFake(() => ({ Items: [{ pk: 'ACCOUNT#a', sk: 'ACCOUNT', balance: balance++ }] }));
    ddb.on(GetCommand).resolves({ Item: { expectedTotal: 1000 } });
    const { platform } = testPlatform();
    expect(await platform.getLedgerSummary(viewer)).toMatchObject({ balanced: false, totalBalance: 992 });
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(LEDGER_SCAN_PASSES);
  });

  it('is Unavailable without a ledger table', async () => {
    const { platform } = testPlatform(testConfig({ ledgerTable: null }));
    await expect(platform.getLedgerSummary(viewer)).rejects.toMatchObject({ code: 'Unavailable' });
    expect(ddb.calls()).toHaveLength(0);
  });
});
