/**
 * The embedded platform's failure index: when a message fails for the last time and the queues loop
 * moves it to its DLQ, one row with its failure class (infra/runtime/failure-class.ts), written in
 * the same transaction as the move. The row leaves with the dead letter (trigger of migration 2 in
 * db.ts: redriven, removed or purged), so the index holds exactly what the DLQs hold. The console's
 * local adapter reads it (class counts, search by transaction id, class-selected redrive, export).
 */
import { classifyFailure } from '@/infra/runtime/failure-class';
import type { Db } from './db';

export class FailureIndex {
  private readonly insert;
  private readonly lastError;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT INTO failure_index (message_id, queue_id, class_id, error_type, step, verdict, normalised, error, transaction_id, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
    );
    this.lastError = db.prepare<[number], { last_error: string | null }>(
      'SELECT last_error FROM messages WHERE id = ?',
    );
  }

  /**
   * Records dead letter `messageId` of queue pair `queueId` failed with `error` (`Name: message`);
   * with `preferRecorded`, the message's last recorded error when it has one.
   */
  record(
    messageId: number,
    queueId: string,
    transactionId: string | null,
    error: string,
    at: number,
    preferRecorded = false,
  ): void {
    const text = (preferRecorded ? this.lastError.get(messageId)?.last_error : null) ?? error;
    const c = classifyFailure(text);
    this.insert.run(
      messageId,
      queueId,
      c.classId,
      c.errorType,
      c.step,
      c.verdict,
      c.normalisedMessage,
      text.slice(0, 2000),
      transactionId,
      at,
    );
  }
}
