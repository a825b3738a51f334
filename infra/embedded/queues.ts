/**
 * The queues + DLQ loop: ReceiveMessage with a visibility timeout (fixed, or following the
 * visibility-timeout policy from the observed batch processing time), receive counts, failures
 * retried after a delay, and redrive to the DLQ once a message was received MAX_RECEIVE_COUNT times.
 */
import { MAX_RECEIVE_COUNT } from '@/infra/platform/description';
import { visibilityTimeout } from '@/infra/runtime/policies/visibility-timeout';
import { BUS_DLQ, dlqOf } from './db';
import type { EngineContext } from './engine-context';
import { FailureIndex } from './failure-index';
import { percentile } from './metric-counters';
import { LOCAL_FUNCTION_TIMEOUT_SECONDS, PROCESSING } from './names';

export interface MessageRow {
  id: number;
  queue: string;
  body: string;
  receive_count: number;
  ingest_at: number;
  transaction_id: string | null;
}

/** The policy's timeout for an observed batch p99 (seconds; null = no observation yet). */
function policyTimeout(p99Seconds: number | null): number {
  return visibilityTimeout({
    observedP99Seconds: p99Seconds,
    functionTimeoutSeconds: LOCAL_FUNCTION_TIMEOUT_SECONDS,
    batchWindowSeconds: 0,
  }).timeoutSeconds;
}

export class Queues {
  /** Current visibility timeout (s): fixed by the options, or set by the policy. */
  visibilityTimeoutSeconds: number;
  private readonly batchDurations: number[] = [];
  private readonly receiveRows;
  private readonly markReceived;
  private readonly deleteMessages;
  private readonly failMessage;
  private readonly deadLetterRow;
  private readonly failureIndex: FailureIndex;

  constructor(private readonly ctx: EngineContext) {
    const { db } = ctx;
    this.failureIndex = new FailureIndex(db);
    this.visibilityTimeoutSeconds = ctx.opts.visibilityTimeoutSeconds ?? policyTimeout(null);
    this.receiveRows = db.prepare<[string, number, number], MessageRow>(
      'SELECT id, queue, body, receive_count, ingest_at, transaction_id FROM messages WHERE queue = ? AND visible_at <= ? ORDER BY visible_at LIMIT ?',
    );
    this.markReceived = db.prepare(
      'UPDATE messages SET visible_at = ?, receive_count = receive_count + 1 WHERE id = ?',
    );
    this.deleteMessages = db.prepare('DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))');
    this.failMessage = db.prepare('UPDATE messages SET visible_at = ?, last_error = ?, receive_count = ? WHERE id = ?');
    this.deadLetterRow = db.prepare(
      'UPDATE messages SET queue = ?, source_queue = queue, dead = 1, enqueued_at = ?, visible_at = ?, last_error = coalesce(?, last_error), receive_count = ? WHERE id = ?',
    );
  }

  /**
   * ReceiveMessage: up to `max` visible messages; redrives to the DLQ those received
   * MAX_RECEIVE_COUNT times. With `mark` false the caller processes the messages in this same
   * transaction: the receive is then recorded only if processing fails (a crash rolls back the
   * receive together with its effects, so nothing is lost and the count stays exact).
   */
  receive(queue: string, max: number, mark = true): MessageRow[] {
    const now = this.ctx.now();
    const rows = this.receiveRows.all(queue, now, max);
    const out: MessageRow[] = [];
    const until = now + this.visibilityTimeoutSeconds * 1000;
    for (const m of rows) {
      if (m.receive_count >= MAX_RECEIVE_COUNT) {
        this.deadLetter(m, `receive count ${m.receive_count} reached maxReceiveCount ${MAX_RECEIVE_COUNT}`, true);
        continue;
      }
      if (mark) this.markReceived.run(until, m.id);
      m.receive_count++;
      out.push(m);
    }
    return out;
  }

  /**
   * A received message failed: its error and receive count are recorded and it is retried after
   * the failure delay, or it goes to the DLQ once it was received MAX_RECEIVE_COUNT times.
   */
  recordFailure(m: MessageRow, e: unknown): void {
    const err = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    this.ctx.metric('processor.errors');
    this.ctx.counts.failedMessages++;
    if (m.receive_count >= MAX_RECEIVE_COUNT) this.deadLetter(m, err, false);
    else this.failMessage.run(this.ctx.now() + this.ctx.opts.failureRetryDelayMs, err, m.receive_count, m.id);
  }

  private deadLetter(m: MessageRow, error: string, keepError: boolean): void {
    const now = this.ctx.now();
    const dlq = m.queue === PROCESSING ? dlqOf(PROCESSING) : BUS_DLQ;
    this.deadLetterRow.run(dlq, now, now, keepError ? null : error, m.receive_count, m.id);
    // The failure index row, in the same transaction as the move (keepError: the last recorded error).
    this.failureIndex.record(
      m.id,
      m.queue === PROCESSING ? PROCESSING : 'bus',
      m.transaction_id,
      error,
      now,
      keepError,
    );
    this.ctx.bumpQueue(m.queue, -1);
    this.ctx.bumpQueue(dlq, 1);
    this.ctx.counts.deadLettered++;
  }

  /** DeleteMessage of the messages processed successfully (a JSON array of ids). */
  deleteProcessed(idList: string): void {
    this.deleteMessages.run(idList);
  }

  /** The processing time of one received batch (ms), for the visibility-timeout policy. */
  observeBatch(ms: number): void {
    this.batchDurations.push(ms);
  }

  /** Without a fixed timeout: follows the policy from the batch p99 once 10 batches were observed. */
  adaptVisibilityTimeout(): void {
    if (this.ctx.opts.visibilityTimeoutSeconds === undefined && this.batchDurations.length >= 10) {
      const sorted = this.batchDurations.splice(0).sort((a, b) => a - b);
      this.visibilityTimeoutSeconds = policyTimeout(percentile(sorted, 99) / 1000);
    }
  }
}
