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
 * The operations live by concern: holds (dynamodb-ledger-holds.ts), the journal
 * (dynamodb-ledger-journal.ts), settlements (dynamodb-ledger-settlements.ts), on the shared
 * reads and writes of dynamodb-ledger-table.ts; what a cancelled transaction means is
 * transaction-cancellation.ts.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Account, Hold, HoldResult, JournalEntry, LedgerStore, Settlement, Transfer } from '../../runtime/ports';
import { placeHold, releaseHold } from './dynamodb-ledger-holds';
import { post, reverse } from './dynamodb-ledger-journal';
import { beginSettlement, recordSettlement, voidSettlement } from './dynamodb-ledger-settlements';
import { accountKey, LedgerTable } from './dynamodb-ledger-table';

export class DynamoDbLedgerStore implements LedgerStore {
  private readonly t: LedgerTable;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.t = new LedgerTable(db, table);
  }

  async getAccount(id: string): Promise<Account | null> {
    const item = await this.t.get<Account & { available: number }>(accountKey(id));
    return item ? { id, currency: item.currency, balance: item.balance, held: item.held } : null;
  }

  placeHold(
    transactionId: string,
    account: string,
    amount: number,
    currency: string,
    now: number,
  ): Promise<HoldResult> {
    return placeHold(this.t, transactionId, account, amount, currency, now);
  }

  releaseHold(
    transactionId: string,
    now: number,
    marker?: { account: string; currency: string },
  ): Promise<Hold | null> {
    return releaseHold(this.t, transactionId, now, marker);
  }

  post(transactionId: string, transfer: Transfer, now: number): Promise<{ entry: JournalEntry; alreadyDone: boolean }> {
    return post(this.t, transactionId, transfer, now);
  }

  reverse(transactionId: string, now: number): Promise<{ entry: JournalEntry; alreadyDone: boolean } | null> {
    return reverse(this.t, transactionId, now);
  }

  beginSettlement(transactionId: string, now: number): Promise<Settlement> {
    return beginSettlement(this.t, transactionId, now);
  }

  recordSettlement(
    transactionId: string,
    reference: string,
    now: number,
  ): Promise<{ settlement: Settlement; alreadyDone: boolean }> {
    return recordSettlement(this.t, transactionId, reference, now);
  }

  voidSettlement(transactionId: string, now: number): Promise<Settlement | null> {
    return voidSettlement(this.t, transactionId, now);
  }

  getSettlement(transactionId: string): Promise<Settlement | null> {
    return this.t.getSettlement(transactionId);
  }
}
