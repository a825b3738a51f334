/**
 * The ledger table's item keys and the reads and conditional writes every ledger operation
 * shares (strongly consistent reads; the write region only, see infra/lib/constructs/state.ts).
 * The account and hold keys are the aws adapter's ledger layout (infra/platform/layout.ts
 * LEDGER): the console's ledger summary scans for them.
 */
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { LEDGER } from '../../platform/layout';
import type { Hold, JournalEntry, Settlement } from '../../runtime/ports';
import { conditionFailed } from './transaction-cancellation';

export const accountKey = (id: string) => ({ pk: `${LEDGER.accountPrefix}${id}`, sk: LEDGER.accountSk });
export const holdKey = (transactionId: string) => ({
  pk: `${LEDGER.holdPrefix}${transactionId}`,
  sk: LEDGER.holdSk,
});
export const txKey = (transactionId: string, sk: string) => ({ pk: `TX#${transactionId}`, sk });

/** One item of a TransactWriteItems request. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The ledger table of one DynamoDB client: the shared reads and writes of the ledger operations. */
export class LedgerTable {
  constructor(
    readonly db: DynamoDBDocumentClient,
    readonly name: string,
  ) {}

  /** Writes `item` unless an item with its key exists: true if written, false if one was there. */
  async putIfAbsent(item: Record<string, unknown>): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({ TableName: this.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (e) {
      if (!conditionFailed(e)) throw e;
      return false;
    }
  }

  async get<T>(key: Record<string, string>): Promise<T | null> {
    const r = await this.db.send(new GetCommand({ TableName: this.name, Key: key, ConsistentRead: true }));
    return (r.Item as T | undefined) ?? null;
  }

  /** One TransactWriteItems: all of `items` or none. */
  async transactWrite(items: TransactItem[]): Promise<void> {
    await this.db.send(new TransactWriteCommand({ TransactItems: items }));
  }

  async getHold(transactionId: string): Promise<Hold | null> {
    const h = await this.get<Hold>(holdKey(transactionId));
    return h ? { transactionId, account: h.account, amount: h.amount, currency: h.currency, state: h.state } : null;
  }

  async getEntry(transactionId: string, kind: JournalEntry['kind']): Promise<JournalEntry | null> {
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

  async getSettlement(transactionId: string): Promise<Settlement | null> {
    const s = await this.get<Settlement>(txKey(transactionId, 'SETTLEMENT'));
    return s ? { transactionId, reference: s.reference, state: s.state } : null;
  }
}
