/**
 * VoidSettlement on the DynamoDB ledger racing a late SettlePayment: its beginSettlement lands
 * between the step's read (no settlement) and the ledger's VOIDED marker. The late SettlePayment
 * is asking the network, so the ledger must not void the PENDING row on its own: the attempt
 * fails retryably, and the retry voids at the network first, then in the ledger.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { expect, it } from 'vitest';
import type { StepDeps } from '../../runtime/ports';
import { runCompensation } from '../../runtime/saga-steps';
import { DynamoDbLedgerStore } from './dynamodb-ledger';

const doc = mockClient(DynamoDBDocumentClient);
const ledger = new DynamoDbLedgerStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  'ledger',
);
const tx = {
  transactionId: 'tx-r',
  fromAccount: 'a',
  toAccount: 'merchant',
  amount: 500,
  currency: 'EUR',
  createdAt: '2026-01-01T00:00:00.000Z',
};

it('fails retryably when a late SettlePayment recorded its settlement during the void, and its retry voids at the payment network before the ledger', async () => {
  doc.reset();
  const settlementKey = { Key: { pk: 'TX#tx-r', sk: 'SETTLEMENT' } };
  // 1st read (the step): absent. 2nd read (ledger.voidSettlement): absent. The marker Put then
  // fails because the late SettlePayment's beginSettlement wrote PENDING; 3rd read: PENDING.
  doc
    .on(GetCommand, settlementKey)
    .resolvesOnce({})
    .resolvesOnce({})
    .resolves({ Item: { reference: '', state: 'PENDING' } });
  doc
    .on(PutCommand)
    .rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
  doc.on(UpdateCommand).resolves({});
  const voidsAtNetwork: string[] = [];
  const deps: StepDeps = {
    ledger,
    downstream: {
      settle: () => Promise.reject(new Error('not called here')),
      voidSettlement: (req) => {
        voidsAtNetwork.push(req.transactionId);
        return Promise.resolve();
      },
      notify: () => Promise.reject(new Error('not called here')),
    },
    now: () => 1,
  };
  const attempt = (n: number) =>
    runCompensation('VoidSettlement', { sagaId: 'tx-r', transaction: tx, attempt: n }, deps);
  // First attempt: the marker lost the race; nothing voided anywhere, and the error is retried.
  await expect(attempt(1)).rejects.toMatchObject({ name: 'TransientError' });
  expect(doc.commandCalls(UpdateCommand)).toHaveLength(0);
  expect(voidsAtNetwork).toEqual([]);
  // The retry (Step Functions' compensationRetry) reads the PENDING settlement: network, then ledger.
  expect(await attempt(2)).toMatchObject({ voided: true });
  expect(voidsAtNetwork).toEqual(['tx-r']);
  expect(doc.commandCalls(UpdateCommand)).toHaveLength(1);
});
