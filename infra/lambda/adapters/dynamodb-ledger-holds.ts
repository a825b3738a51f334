/**
 * Holds on the ledger table: ReserveFunds places one (HELD, held += amount in the same
 * transaction), ReleaseFunds releases it (HELD -> RELEASED) or, with no hold, leaves a RELEASED
 * marker of amount 0 so a late ReserveFunds write cannot create one after it.
 */
import { alreadyReleased, holdCaptured, releasedMarker } from '../../runtime/ledger-errors';
import { StepError, type Hold, type HoldResult } from '../../runtime/ports';
import { sagaErrors } from '../../saga/definition';
import { accountKey, holdKey, type LedgerTable } from './dynamodb-ledger-table';
import { failedConditions } from './transaction-cancellation';

export async function placeHold(
  t: LedgerTable,
  transactionId: string,
  account: string,
  amount: number,
  currency: string,
  now: number,
): Promise<HoldResult> {
  const existing = await t.getHold(transactionId);
  if (existing?.state === 'RELEASED') throw alreadyReleased(transactionId);
  if (existing) return { ok: true, hold: existing, alreadyDone: true };
  const hold: Hold = { transactionId, account, amount, currency, state: 'HELD' };
  try {
    await t.transactWrite([
      {
        Put: {
          TableName: t.name,
          Item: { ...holdKey(transactionId), ...hold, createdAt: now },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: t.name,
          Key: accountKey(account),
          UpdateExpression: 'SET held = held + :a, available = available - :a',
          ConditionExpression: 'attribute_exists(pk) AND available >= :a AND currency = :c',
          ExpressionAttributeValues: { ':a': amount, ':c': currency },
        },
      },
    ]);
    return { ok: true, hold, alreadyDone: false };
  } catch (e) {
    const failed = failedConditions(e, `ReserveFunds ${transactionId}`);
    if (failed.includes(0)) {
      // The hold item exists: another attempt placed it, or ReleaseFunds left its marker.
      const raced = await t.getHold(transactionId);
      if (raced?.state === 'RELEASED') throw alreadyReleased(transactionId);
      if (raced) return { ok: true, hold: raced, alreadyDone: true };
      throw new StepError(sagaErrors.transient, `ReserveFunds ${transactionId}: hold item changed while read; retry`);
    }
    const acct = await t.get<{ available: number; currency: string }>(accountKey(account));
    if (!acct) throw new StepError(sagaErrors.permanent, `account ${account} does not exist`);
    if (acct.currency !== currency)
      throw new StepError(sagaErrors.permanent, `currency ${currency} does not match account ${account}`);
    return { ok: false, available: acct.available };
  }
}

/**
 * HELD -> RELEASED (held -= amount). RELEASED: a no-op. CAPTURED: throws (reverse the ledger
 * first), as the SQLite ledger. No hold: writes a RELEASED marker (amount 0) so a ReserveFunds
 * attempt still in flight cannot place a hold after the compensation ran. Never answers while
 * the hold is still HELD: a cancellation by contention is a TransientError (retried).
 */
export async function releaseHold(
  t: LedgerTable,
  transactionId: string,
  now: number,
  marker?: { account: string; currency: string },
): Promise<Hold | null> {
  const hold = await t.getHold(transactionId);
  if (!hold) return markReleased(t, transactionId, now, marker);
  if (hold.state === 'RELEASED') return hold;
  if (hold.state === 'CAPTURED') throw holdCaptured(transactionId);
  try {
    await t.transactWrite([
      {
        Update: {
          TableName: t.name,
          Key: holdKey(transactionId),
          UpdateExpression: 'SET #s = :released, releasedAt = :now',
          ConditionExpression: '#s = :held',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':released': 'RELEASED', ':held': 'HELD', ':now': now },
        },
      },
      {
        Update: {
          TableName: t.name,
          Key: accountKey(hold.account),
          UpdateExpression: 'SET held = held - :a, available = available + :a',
          ExpressionAttributeValues: { ':a': hold.amount },
        },
      },
    ]);
    return { ...hold, state: 'RELEASED' };
  } catch (e) {
    failedConditions(e, `ReleaseFunds ${transactionId}`);
    // The hold left HELD meanwhile (another worker released it, or a post captured it).
    const now2 = await t.getHold(transactionId);
    if (now2?.state === 'RELEASED') return now2;
    if (now2?.state === 'CAPTURED') throw holdCaptured(transactionId);
    throw new StepError(
      sagaErrors.transient,
      `ReleaseFunds ${transactionId}: hold is still ${now2?.state ?? 'absent'}; retry`,
    );
  }
}

/** ReleaseFunds with no hold: a RELEASED marker of amount 0 (or the hold a racing ReserveFunds just placed, released). */
async function markReleased(
  t: LedgerTable,
  transactionId: string,
  now: number,
  marker: { account: string; currency: string } | undefined,
): Promise<Hold> {
  const released = releasedMarker(transactionId, marker);
  if (await t.putIfAbsent({ ...holdKey(transactionId), ...released, createdAt: now, releasedAt: now })) return released;
  // A ReserveFunds write landed between the read and the marker: release that hold.
  return (await releaseHold(t, transactionId, now, marker))!;
}
