/**
 * LedgerStore on DynamoDB (the ledger global table; writes only in the write region, see
 * infra/lib/constructs/state.ts). Items (pk, sk):
 *   ACCOUNT#<id> / ACCOUNT            currency, balance, held, available (= balance - held)
 *   HOLD#<transactionId> / HOLD       account, amount, currency, state (HELD|CAPTURED|RELEASED)
 *   TX#<transactionId> / JOURNAL#POST | JOURNAL#REVERSE
 *   TX#<transactionId> / SETTLEMENT   reference, state
 * Every money movement is ONE TransactWriteItems whose conditions make it happen at most once
 * (the journal entry / hold transition is the idempotency guard) and keep sum(balance)
 * constant: a post debits one account and credits the other in the same transaction.
 * DynamoDB conditions cannot do arithmetic, so `available` is stored next to balance/held.
 * The account and hold keys are the aws adapter's ledger layout (server/platform/aws/layout.ts
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
import { LEDGER } from '../../../server/platform/aws/layout';
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

function cancelled(e: unknown): boolean {
  return e instanceof TransactionCanceledException || (e instanceof Error && e.name === 'TransactionCanceledException');
}

export class DynamoDbLedgerStore implements LedgerStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

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
      if (!cancelled(e)) throw e;
      const raced = await this.getHold(transactionId);
      if (raced) return { ok: true, hold: raced, alreadyDone: true };
      const acct = await this.get<{ available: number }>(accountKey(account));
      return { ok: false, available: acct?.available ?? 0 };
    }
  }

  async releaseHold(transactionId: string, now: number): Promise<Hold | null> {
    const hold = await this.getHold(transactionId);
    if (!hold || hold.state !== 'HELD') return hold;
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
      if (!cancelled(e)) throw e;
      return this.getHold(transactionId); // another worker moved it first
    }
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
      if (!cancelled(e)) throw e;
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
      if (!cancelled(e)) throw e;
      const raced = await this.getEntry(transactionId, 'REVERSE');
      if (raced) return { entry: raced, alreadyDone: true };
      throw e;
    }
  }

  async recordSettlement(
    transactionId: string,
    reference: string,
    now: number,
  ): Promise<{ settlement: Settlement; alreadyDone: boolean }> {
    const settlement: Settlement = { transactionId, reference, state: 'SETTLED' };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...txKey(transactionId, 'SETTLEMENT'), ...settlement, settledAt: now },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { settlement, alreadyDone: false };
    } catch (e) {
      if (!(e instanceof Error && e.name === 'ConditionalCheckFailedException')) throw e;
      const existing = await this.getSettlement(transactionId);
      if (!existing) throw e;
      return { settlement: existing, alreadyDone: true };
    }
  }

  async voidSettlement(transactionId: string, now: number): Promise<Settlement | null> {
    const s = await this.getSettlement(transactionId);
    if (!s || s.state === 'VOIDED') return s;
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: txKey(transactionId, 'SETTLEMENT'),
        UpdateExpression: 'SET #s = :voided, voidedAt = :now',
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
