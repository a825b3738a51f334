import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ledgerSummarySchema } from '../platform.schema';
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
    expect(ddb.commandCalls(ScanCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'HOLD#tx-1', sk: 'HOLD' });
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'ledgerline-staging-ledger',
      Key: { pk: 'LEDGER', sk: 'EXPECTED_TOTAL' },
      ConsistentRead: true,
    });
  });

  it('reports an unbalanced ledger', async () => {
    ddb.on(ScanCommand).resolves({ Items: [{ pk: 'ACCOUNT#a', sk: 'ACCOUNT', balance: 999 }] });
    ddb.on(GetCommand).resolves({ Item: { expectedTotal: 1000 } });
    const { platform } = testPlatform();
    expect(await platform.getLedgerSummary(viewer)).toMatchObject({ balanced: false, totalBalance: 999 });
  });

  it('is Unavailable without a ledger table', async () => {
    const { platform } = testPlatform(testConfig({ ledgerTable: null }));
    await expect(platform.getLedgerSummary(viewer)).rejects.toMatchObject({ code: 'Unavailable' });
    expect(ddb.calls()).toHaveLength(0);
  });
});
