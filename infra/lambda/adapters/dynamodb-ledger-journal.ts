/**
 * The journal on the ledger table: PostLedger captures the HELD hold and moves the money
 * (debit one account, credit the other); ReverseLedger undoes a post the same way back. Each is
 * one TransactWriteItems whose journal item (TX#<id> / JOURNAL#POST | JOURNAL#REVERSE) is the
 * idempotency guard, and keeps sum(balance) constant.
 */
import { StepError, type JournalEntry, type Transfer } from '../../runtime/ports';
import { sagaErrors } from '../../saga/definition';
import { accountKey, holdKey, txKey, type LedgerTable, type TransactItem } from './dynamodb-ledger-table';
import { failedConditions } from './transaction-cancellation';

type EntryResult = { entry: JournalEntry; alreadyDone: boolean };

/**
 * Writes `entry` (unless its journal item exists) with `moves` in one transaction. When the
 * conditions failed, the entry another attempt wrote meanwhile is the answer; without one, the
 * step fails for good with `refusal`.
 */
async function writeEntry(
  t: LedgerTable,
  entry: JournalEntry,
  moves: TransactItem[],
  step: string,
  refusal: string,
): Promise<EntryResult> {
  const { transactionId, kind } = entry;
  try {
    await t.transactWrite([
      {
        Put: {
          TableName: t.name,
          Item: { ...txKey(transactionId, `JOURNAL#${kind}`), ...entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...moves,
    ]);
    return { entry, alreadyDone: false };
  } catch (e) {
    failedConditions(e, `${step} ${transactionId}`);
    const raced = await t.getEntry(transactionId, kind);
    if (raced) return { entry: raced, alreadyDone: true };
    throw new StepError(sagaErrors.permanent, refusal);
  }
}

export async function post(
  t: LedgerTable,
  transactionId: string,
  transfer: Transfer,
  now: number,
): Promise<EntryResult> {
  const existing = await t.getEntry(transactionId, 'POST');
  if (existing) return { entry: existing, alreadyDone: true };
  const entry: JournalEntry = {
    transactionId,
    kind: 'POST',
    debitAccount: transfer.fromAccount,
    creditAccount: transfer.toAccount,
    amount: transfer.amount,
    currency: transfer.currency,
    postedAt: now,
  };
  return writeEntry(
    t,
    entry,
    [
      {
        Update: {
          TableName: t.name,
          Key: holdKey(transactionId),
          UpdateExpression: 'SET #s = :captured',
          ConditionExpression: '#s = :held AND amount = :a',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':captured': 'CAPTURED', ':held': 'HELD', ':a': transfer.amount },
        },
      },
      {
        Update: {
          TableName: t.name,
          Key: accountKey(transfer.fromAccount),
          UpdateExpression: 'SET balance = balance - :a, held = held - :a',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':a': transfer.amount },
        },
      },
      {
        Update: {
          TableName: t.name,
          Key: accountKey(transfer.toAccount),
          UpdateExpression: 'SET balance = balance + :a, available = available + :a',
          ConditionExpression: 'attribute_exists(pk) AND currency = :c',
          ExpressionAttributeValues: { ':a': transfer.amount, ':c': transfer.currency },
        },
      },
    ],
    'PostLedger',
    `cannot post ${transactionId}: no HELD hold of ${transfer.amount} or an account is missing`,
  );
}

export async function reverse(t: LedgerTable, transactionId: string, now: number): Promise<EntryResult | null> {
  const posted = await t.getEntry(transactionId, 'POST');
  if (!posted) return null;
  const existing = await t.getEntry(transactionId, 'REVERSE');
  if (existing) return { entry: existing, alreadyDone: true };
  const entry: JournalEntry = {
    transactionId,
    kind: 'REVERSE',
    debitAccount: posted.creditAccount,
    creditAccount: posted.debitAccount,
    amount: posted.amount,
    currency: posted.currency,
    postedAt: now,
  };
  return writeEntry(
    t,
    entry,
    [
      {
        Update: {
          TableName: t.name,
          Key: holdKey(transactionId),
          UpdateExpression: 'SET #s = :held',
          ConditionExpression: '#s = :captured',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':held': 'HELD', ':captured': 'CAPTURED' },
        },
      },
      {
        Update: {
          TableName: t.name,
          Key: accountKey(posted.creditAccount),
          UpdateExpression: 'SET balance = balance - :a, available = available - :a',
          ExpressionAttributeValues: { ':a': posted.amount },
        },
      },
      {
        Update: {
          TableName: t.name,
          Key: accountKey(posted.debitAccount),
          UpdateExpression: 'SET balance = balance + :a, held = held + :a',
          ExpressionAttributeValues: { ':a': posted.amount },
        },
      },
    ],
    'ReverseLedger',
    `cannot reverse ${transactionId}: its hold is not CAPTURED although a POST exists (needs an operator)`,
  );
}
