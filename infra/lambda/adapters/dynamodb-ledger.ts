/**
 * LedgerStore on DynamoDB (the ledger global table; writes only in the write region, see
 * infra/lib/constructs/state.ts). Items (pk, sk):
 *   ACCOUNT#<id> / ACCOUNT            currency, balance, held, available (= balance - held)
 *   HOLD#<transactionId> / HOLD       account, amount, currency, state (HELD|CAPTURED|RELEASED)
 *                                     (a RELEASED item of amount 0 is ReleaseFunds' marker for a transaction
 *                                     that had no hold: a late ReserveFunds write cannot create one after it)
 *   TX#<transactionId> / JOURNAL#POST | JOURNAL#REVERSE
 *   TX#<transactionId> / SETTLEMENT   reference, state (PENDING before the network is asked,
 *                                     SETTLED, VOIDED; a VOIDED item with reference '' is
 *                                     VoidSettlement's marker for a transaction never settled)
 * Every money movement is ONE TransactWriteItems whose conditions make it happen at most once
 * (the journal entry / hold transition is the idempotency guard) and keep sum(balance)
 * constant: a post debits one account and credits the other in the same transaction.
 * DynamoDB conditions cannot do arithmetic, so `available` is stored next to balance/held.
 *
 * A cancelled TransactWriteItems is a business answer ONLY when its CancellationReasons say a
 * condition failed (Code ConditionalCheckFailed, reasons listed in request order, "None" for
 * the items without error). Another transaction on one of the items (TransactionConflict),
 * throttling (ThrottlingError, ProvisionedThroughputExceeded) or any other code is contention,
 * not an answer: it raises a TransientError, which the saga definition retries.
 * The account and hold keys are the aws adapter's ledger layout (infra/platform/layout.ts
 * LEDGER): the console's ledger summary scans for them.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { LEDGER } from '../../platform/layout';
import { alreadyReleased, holdCaptured, releasedMarker } from '../../runtime/ledger-errors';
import {
  StepError,
  type Account,
  type Hold,
  type HoldResult,
  type JournalEntry,
  type LedgerStore,
  type Settlement,
  type Transfer,
} from '../../runtime/ports';
import { sagaErrors } from '../../saga/definition';

const accountKey = (id: string) => ({ pk: `${LEDGER.accountPrefix}${id}`, sk: LEDGER.accountSk });
const holdKey = (transactionId: string) => ({ pk: `${LEDGER.holdPrefix}${transactionId}`, sk: LEDGER.holdSk });
const txKey = (transactionId: string, sk: string) => ({ pk: `TX#${transactionId}`, sk });

function cancelled(e: unknown): e is TransactionCanceledException {
  return e instanceof TransactionCanceledException || (e instanceof Error && e.name === 'TransactionCanceledException');
}

/**
 * What a failed TransactWriteItems means: returns the indexes (request order) of the items whose
 * condition failed, when condition failures are the ONLY cause of the cancellation. Any other
 * cancellation (conflict, throttling, no reasons at all) is thrown as a TransientError
 * (retryable) naming the codes; errors that are not cancellations are re-thrown as they are.
 */
function failedConditions(e: unknown, what: string): number[] {
  if (!cancelled(e)) throw e;
  const reasons = e.CancellationReasons ?? [];
  const codes = reasons.map((r) => r.Code ?? 'None');
  const failed = codes.flatMap((c, i) => (c === 'None' ? [] : [{ code: c, index: i }]));
  if (failed.length > 0 && failed.every((f) => f.code === 'ConditionalCheckFailed')) return failed.map((f) => f.index);
  const why =
    failed.length > 0 ? failed.map((f) => `${f.code} on item ${f.index}`).join(', ') : 'no cancellation reasons';
  throw new StepError(sagaErrors.transient, `${what}: transaction cancelled (${why}); retry`);
}

/** A single conditional write (PutItem / UpdateItem) whose condition failed. */
const conditionFailed = (e: unknown) => e instanceof Error && e.name === 'ConditionalCheckFailedException';

export class DynamoDbLedgerStore implements LedgerStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Writes `item` unless an item with its key exists: true if written, false if one was there. */
  private async putIfAbsent(item: Record<string, unknown>): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (e) {
      if (!conditionFailed(e)) throw e;
      return false;
    }
  }

  private async get<T>(key: Record<string, string>): Promise<T | null> {
    const r = await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return (r.Item as T | undefined) ?? null;
  }

  async getAccount(id: string): Promise<Account | null> {
    const item = await this.get<Account & { available: number }>(accountKey(id));
    return item ? { id, currency: item.currency, balance: item.balance, held: item.held } : null;
  }

  private async getHold(transactionId: string): Promise<Hold | null> {
    const h = await this.get<Hold>(holdKey(transactionId));
    return h ? { transactionId, account: h.account, amount: h.amount, currency: h.currency, state: h.state } : null;
  }

  private async getEntry(transactionId: string, kind: JournalEntry['kind']): Promise<JournalEntry | null> {
    const e = await this.get<JournalEntry>(txKey(transactionId, `JOURNAL#${kind}`));
    return e
      ? {
          transactionId,
          kind,
          debitAccount: e.debitAccount,
          creditAccount: e.creditAccount,
          amount: e.amount,
          currency: e.currency,
          postedAt: e.postedAt,
        }
      : null;
  }

  async placeHold(
    transactionId: string,
    account: string,
    amount: number,
    currency: string,
    now: number,
  ): Promise<HoldResult> {
    const existing = await this.getHold(transactionId);
    if (existing?.state === 'RELEASED') throw alreadyReleased(transactionId);
    if (existing) return { ok: true, hold: existing, alreadyDone: true };
    const hold: Hold = { transactionId, account, amount, currency, state: 'HELD' };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...holdKey(transactionId), ...hold, createdAt: now },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: accountKey(account),
                UpdateExpression: 'SET held = held + :a, available = available - :a',
                ConditionExpression: 'attribute_exists(pk) AND available >= :a AND currency = :c',
                ExpressionAttributeValues: { ':a': amount, ':c': currency },
              },
            },
          ],
        }),
      );
      return { ok: true, hold, alreadyDone: false };
    } catch (e) {
      const failed = failedConditions(e, `ReserveFunds ${transactionId}`);
      if (failed.includes(0)) {
        // The hold item exists: another attempt placed it, or ReleaseFunds left its marker.
        const raced = await this.getHold(transactionId);
        if (raced?.state === 'RELEASED') throw alreadyReleased(transactionId);
        if (raced) return { ok: true, hold: raced, alreadyDone: true };
        throw new StepError(sagaErrors.transient, `ReserveFunds ${transactionId}: hold item changed while read; retry`);
      }
      const acct = await this.get<{ available: number; currency: string }>(accountKey(account));
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
  async releaseHold(
    transactionId: string,
    now: number,
    marker?: { account: string; currency: string },
  ): Promise<Hold | null> {
    const hold = await this.getHold(transactionId);
    if (!hold) return this.markReleased(transactionId, now, marker);
    if (hold.state === 'RELEASED') return hold;
    if (hold.state === 'CAPTURED') throw holdCaptured(transactionId);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: holdKey(transactionId),
                UpdateExpression: 'SET #s = :released, releasedAt = :now',
                ConditionExpression: '#s = :held',
                ExpressionAttributeNames: { '#s': 'state' },
                ExpressionAttributeValues: { ':released': 'RELEASED', ':held': 'HELD', ':now': now },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: accountKey(hold.account),
                UpdateExpression: 'SET held = held - :a, available = available + :a',
                ExpressionAttributeValues: { ':a': hold.amount },
              },
            },
          ],
        }),
      );
      return { ...hold, state: 'RELEASED' };
    } catch (e) {
      failedConditions(e, `ReleaseFunds ${transactionId}`);
      // The hold left HELD meanwhile (another worker released it, or a post captured it).
      const now2 = await this.getHold(transactionId);
      if (now2?.state === 'RELEASED') return now2;
      if (now2?.state === 'CAPTURED') throw holdCaptured(transactionId);
      throw new StepError(
        sagaErrors.transient,
        `ReleaseFunds ${transactionId}: hold is still ${now2?.state ?? 'absent'}; retry`,
      );
    }
  }

  /** ReleaseFunds with no hold: a RELEASED marker of amount 0 (or the hold a racing ReserveFunds just placed, released). */
  private async markReleased(
    transactionId: string,
    now: number,
    marker: { account: string; currency: string } | undefined,
  ): Promise<Hold> {
    const released = releasedMarker(transactionId, marker);
    if (await this.putIfAbsent({ ...holdKey(transactionId), ...released, createdAt: now, releasedAt: now }))
      return released;
    // A ReserveFunds write landed between the read and the marker: release that hold.
    return (await this.releaseHold(transactionId, now, marker))!;
  }

  async post(
    transactionId: string,
    transfer: Transfer,
    now: number,
  ): Promise<{ entry: JournalEntry; alreadyDone: boolean }> {
    const existing = await this.getEntry(transactionId, 'POST');
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
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...txKey(transactionId, 'JOURNAL#POST'), ...entry },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: holdKey(transactionId),
                UpdateExpression: 'SET #s = :captured',
                ConditionExpression: '#s = :held AND amount = :a',
                ExpressionAttributeNames: { '#s': 'state' },
                ExpressionAttributeValues: { ':captured': 'CAPTURED', ':held': 'HELD', ':a': transfer.amount },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: accountKey(transfer.fromAccount),
                UpdateExpression: 'SET balance = balance - :a, held = held - :a',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':a': transfer.amount },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: accountKey(transfer.toAccount),
                UpdateExpression: 'SET balance = balance + :a, available = available + :a',
                ConditionExpression: 'attribute_exists(pk) AND currency = :c',
                ExpressionAttributeValues: { ':a': transfer.amount, ':c': transfer.currency },
              },
            },
          ],
        }),
      );
      return { entry, alreadyDone: false };
    } catch (e) {
      failedConditions(e, `PostLedger ${transactionId}`);
      const raced = await this.getEntry(transactionId, 'POST');
      if (raced) return { entry: raced, alreadyDone: true };
      throw new StepError(
        sagaErrors.permanent,
        `cannot post ${transactionId}: no HELD hold of ${transfer.amount} or an account is missing`,
      );
    }
  }

  async reverse(transactionId: string, now: number): Promise<{ entry: JournalEntry; alreadyDone: boolean } | null> {
    const post = await this.getEntry(transactionId, 'POST');
    if (!post) return null;
    const existing = await this.getEntry(transactionId, 'REVERSE');
    if (existing) return { entry: existing, alreadyDone: true };
    const entry: JournalEntry = {
      transactionId,
      kind: 'REVERSE',
      debitAccount: post.creditAccount,
      creditAccount: post.debitAccount,
      amount: post.amount,
      currency: post.currency,
      postedAt: now,
    };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...txKey(transactionId, 'JOURNAL#REVERSE'), ...entry },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: holdKey(transactionId),
                UpdateExpression: 'SET #s = :held',
                ConditionExpression: '#s = :captured',
                ExpressionAttributeNames: { '#s': 'state' },
                ExpressionAttributeValues: { ':held': 'HELD', ':captured': 'CAPTURED' },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: accountKey(post.creditAccount),
                UpdateExpression: 'SET balance = balance - :a, available = available - :a',
                ExpressionAttributeValues: { ':a': post.amount },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: accountKey(post.debitAccount),
                UpdateExpression: 'SET balance = balance + :a, held = held + :a',
                ExpressionAttributeValues: { ':a': post.amount },
              },
            },
          ],
        }),
      );
      return { entry, alreadyDone: false };
    } catch (e) {
      failedConditions(e, `ReverseLedger ${transactionId}`);
      const raced = await this.getEntry(transactionId, 'REVERSE');
      if (raced) return { entry: raced, alreadyDone: true };
      throw new StepError(
        sagaErrors.permanent,
        `cannot reverse ${transactionId}: its hold is not CAPTURED although a POST exists (needs an operator)`,
      );
    }
  }

  async beginSettlement(transactionId: string, now: number): Promise<Settlement> {
    const pending: Settlement = { transactionId, reference: '', state: 'PENDING' };
    if (await this.putIfAbsent({ ...txKey(transactionId, 'SETTLEMENT'), ...pending, requestedAt: now })) return pending;
    const existing = await this.getSettlement(transactionId);
    if (!existing)
      throw new StepError(sagaErrors.transient, `SettlePayment ${transactionId}: settlement changed while read; retry`);
    return existing;
  }

  async recordSettlement(
    transactionId: string,
    reference: string,
    now: number,
  ): Promise<{ settlement: Settlement; alreadyDone: boolean }> {
    const settlement: Settlement = { transactionId, reference, state: 'SETTLED' };
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
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
      const existing = await this.getSettlement(transactionId);
      if (!existing) throw e;
      return { settlement: existing, alreadyDone: true };
    }
  }

  /** PENDING or SETTLED -> VOIDED; no settlement: a VOIDED marker (reference '') so a late SettlePayment cannot settle. */
  async voidSettlement(transactionId: string, now: number): Promise<Settlement | null> {
    const s = await this.getSettlement(transactionId);
    if (s?.state === 'VOIDED') return s;
    if (!s) {
      const marker: Settlement = { transactionId, reference: '', state: 'VOIDED' };
      if (await this.putIfAbsent({ ...txKey(transactionId, 'SETTLEMENT'), ...marker, voidedAt: now })) return marker;
      // A late SettlePayment recorded its settlement between the read and the marker: it may be
      // asking the network right now. Voiding it here would leave the network settled, since the
      // VoidSettlement step saw no settlement; the retry reads it and voids at the network first.
      throw new StepError(
        sagaErrors.transient,
        `VoidSettlement ${transactionId}: a settlement was recorded while the void was being marked; retry`,
      );
    }
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: txKey(transactionId, 'SETTLEMENT'),
        UpdateExpression: 'SET #s = :voided, voidedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':voided': 'VOIDED', ':now': now },
      }),
    );
    return { ...s, state: 'VOIDED' };
  }

  async getSettlement(transactionId: string): Promise<Settlement | null> {
    const s = await this.get<Settlement>(txKey(transactionId, 'SETTLEMENT'));
    return s ? { transactionId, reference: s.reference, state: s.state } : null;
  }
}
