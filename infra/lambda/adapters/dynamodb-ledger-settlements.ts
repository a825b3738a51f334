/**
 * Settlements on the ledger table (TX#<transactionId> / SETTLEMENT): PENDING is recorded before
 * the network is asked, then SETTLED (only from PENDING or absent), or VOIDED; a VOIDED item with
 * reference '' is VoidSettlement's marker for a transaction never settled.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StepError, type Settlement } from '../../runtime/ports';
import { sagaErrors } from '../../saga/definition';
import { txKey, type LedgerTable } from './dynamodb-ledger-table';
import { conditionFailed } from './transaction-cancellation';

export async function beginSettlement(t: LedgerTable, transactionId: string, now: number): Promise<Settlement> {
  const pending: Settlement = { transactionId, reference: '', state: 'PENDING' };
  if (await t.putIfAbsent({ ...txKey(transactionId, 'SETTLEMENT'), ...pending, requestedAt: now })) return pending;
  const existing = await t.getSettlement(transactionId);
  if (!existing)
    throw new StepError(sagaErrors.transient, `SettlePayment ${transactionId}: settlement changed while read; retry`);
  return existing;
}

export async function recordSettlement(
  t: LedgerTable,
  transactionId: string,
  reference: string,
  now: number,
): Promise<{ settlement: Settlement; alreadyDone: boolean }> {
  const settlement: Settlement = { transactionId, reference, state: 'SETTLED' };
  try {
    await t.db.send(
      new UpdateCommand({
        TableName: t.name,
        Key: txKey(transactionId, 'SETTLEMENT'),
        UpdateExpression: 'SET #s = :settled, #ref = :ref, transactionId = :tx, settledAt = :now',
        ConditionExpression: 'attribute_not_exists(pk) OR #s = :pending',
        ExpressionAttributeNames: { '#s': 'state', '#ref': 'reference' },
        ExpressionAttributeValues: {
          ':settled': 'SETTLED',
          ':pending': 'PENDING',
          ':ref': reference,
          ':tx': transactionId,
          ':now': now,
        },
      }),
    );
    return { settlement, alreadyDone: false };
  } catch (e) {
    if (!conditionFailed(e)) throw e;
    const existing = await t.getSettlement(transactionId);
    if (!existing) throw e;
    return { settlement: existing, alreadyDone: true };
  }
}

/** PENDING or SETTLED -> VOIDED; no settlement: a VOIDED marker (reference '') so a late SettlePayment cannot settle. */
export async function voidSettlement(t: LedgerTable, transactionId: string, now: number): Promise<Settlement | null> {
  const s = await t.getSettlement(transactionId);
  if (s?.state === 'VOIDED') return s;
  if (!s) {
    const marker: Settlement = { transactionId, reference: '', state: 'VOIDED' };
    if (await t.putIfAbsent({ ...txKey(transactionId, 'SETTLEMENT'), ...marker, voidedAt: now })) return marker;
    // A late SettlePayment recorded its settlement between the read and the marker: it may be
    // asking the network right now. Voiding it here would leave the network settled, since the
    // VoidSettlement step saw no settlement; the retry reads it and voids at the network first.
    throw new StepError(
      sagaErrors.transient,
      `VoidSettlement ${transactionId}: a settlement was recorded while the void was being marked; retry`,
    );
  }
  await t.db.send(
    new UpdateCommand({
      TableName: t.name,
      Key: txKey(transactionId, 'SETTLEMENT'),
      UpdateExpression: 'SET #s = :voided, voidedAt = :now',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: { ':voided': 'VOIDED', ':now': now },
    }),
  );
  return { ...s, state: 'VOIDED' };
}
