/**
 * The processor host: receives batches from the processing queue and runs the processor
 * (infra/runtime/processor) on each message, all of a batch in one SQLite transaction, with the
 * processor's idempotency record and the saga runner behind its ports.
 */
import { performance } from 'node:perf_hooks';
import { settled } from '@/infra/runtime/flow';
import { PoisonMessageError, processMessage, type ProcessorDeps } from '@/infra/runtime/processor';
import type { EngineContext } from './engine-context';
import { minuteOf } from './metric-counters';
import { PROCESSING } from './names';
import type { ParseCache } from './parse-cache';
import type { MessageRow, Queues } from './queues';
import type { SagaRunner } from './saga-runner';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The error of a valid message while the processor outage fault is on (retriable: redrive it after). */
export class ProcessorOutageError extends Error {
  constructor() {
    super('processor unavailable (outage injected): the message was not processed and will be retried');
    this.name = 'ProcessorOutage';
  }
}

export class ProcessorHost {
  private currentIngestAt = 0;
  private readonly processorDeps: ProcessorDeps;
  // Which of these transaction ids (a JSON array) have an idempotency record / a saga (see probeAbsent)?
  private readonly idempotencyKeysIn;
  private readonly sagaIdsIn;

  constructor(
    private readonly ctx: EngineContext,
    private readonly queues: Queues,
    private readonly sagas: SagaRunner,
    private readonly parseCache: ParseCache,
  ) {
    const { db, idempotency } = ctx;
    this.idempotencyKeysIn = db
      .prepare<[string], string>('SELECT key FROM idempotency WHERE key IN (SELECT value FROM json_each(?))')
      .pluck();
    this.sagaIdsIn = db
      .prepare<[string], string>('SELECT id FROM sagas WHERE id IN (SELECT value FROM json_each(?))')
      .pluck();
    this.processorDeps = {
      parse: (body) => parseCache.parsedAt(body),
      idempotency: {
        claim: (k, e, n, p) => idempotency.claim(k, e, n, p),
        complete: (k, r) => idempotency.complete(k, r),
        release: (k) => idempotency.release(k),
        get: (k) => idempotency.get(k),
      },
      startSaga: (event) => sagas.startSaga(event, this.currentIngestAt),
      checkDuplicate: (event) => {
        sagas.checkSameContent(event.transaction);
      },
      now: () => ctx.now(),
    };
  }

  /** One processor cycle: receive a batch, (slow consumer), process it in one transaction. */
  async processOnce(): Promise<number> {
    if (this.ctx.knobs.slowConsumerMs === 0) {
      // Receive and process in one transaction (one write less per message).
      const t0 = performance.now();
      let received: MessageRow[] = [];
      try {
        await this.ctx.tx(() => {
          received = this.queues.receive(PROCESSING, this.ctx.opts.batchSize, false);
          if (received.length > 0) this.processBatch(received);
        });
      } catch (e) {
        if (received.length === 0) throw e;
        await this.processEachAlone(received, e);
      }
      if (received.length > 0) this.queues.observeBatch(performance.now() - t0);
      return received.length;
    }
    // A slow consumer: messages stay in flight (visibility timeout) while it works.
    const batch = await this.ctx.tx(() => this.queues.receive(PROCESSING, this.ctx.opts.batchSize));
    if (batch.length === 0) return 0;
    const t0 = performance.now();
    await sleep(this.ctx.knobs.slowConsumerMs);
    try {
      await this.ctx.tx(() => this.processBatch(batch));
    } catch (e) {
      await this.processEachAlone(batch, e);
    }
    this.queues.observeBatch(performance.now() - t0);
    return batch.length;
  }

  /**
   * A batch failed as a whole (a write at its flush failed, or a message failed after its saga
   * row was written): it was rolled back, nothing of it applied. Its messages run again, one
   * transaction each, so that only the failing one fails: its error and receive are recorded
   * (and after maxReceiveCount it goes to the DLQ) while the others are applied. Each message's
   * receive_count is the count of this receive (receive() counted it, in memory or in the table).
   */
  private async processEachAlone(batch: readonly MessageRow[], cause: unknown): Promise<void> {
    this.ctx.log(
      `a batch of ${batch.length} failed as a whole (${cause instanceof Error ? cause.message : String(cause)}); processing its messages one by one`,
    );
    for (const m of batch) {
      try {
        await this.ctx.tx(() => this.processBatch([m]));
      } catch (e) {
        await this.ctx.tx(() => this.queues.recordFailure(m, e));
      }
    }
  }

  processBatch(batch: MessageRow[]): void {
    const durations: number[] = [];
    this.ctx.counters.current?.durations.push({ minute: minuteOf(this.ctx.now()), ms: durations });
    // Messages processed successfully: deleted together after the loop, in this same transaction.
    const done: number[] = [];
    this.probeAbsent(batch);
    // No savepoint per message: the stores keep everything a message writes in memory until the
    // batch's flush (stores.ts), and its saga row waits in sagaRows (persistSaga, the last step
    // that can fail). A failed message is rolled back by its UndoLog mark. Should a message fail
    // after its saga row was added, or a write fail at the flush, the whole batch is rolled back
    // (nothing half-applied) and processOnce runs its messages one transaction each.
    for (const m of batch) {
      const t0 = performance.now();
      const mark = this.ctx.undo.mark();
      const sagaWrites = this.sagas.sagaWrites;
      this.ctx.messageNow = this.ctx.liveNow();
      try {
        this.currentIngestAt = m.ingest_at;
        this.parseCache.currentMessageId = m.id;
        if (this.ctx.knobs.processorOutage) {
          // A poison message still fails as poison; a valid one fails because the processor is down.
          const parsed = this.parseCache.parsedAt(m.body);
          if (!parsed.ok) throw new PoisonMessageError(parsed.code, parsed.reason);
          throw new ProcessorOutageError();
        }
        const outcome = settled(processMessage(m.body, this.processorDeps), 'processMessage');
        done.push(m.id);
        this.ctx.bumpQueue(m.queue, -1);
        if (outcome.kind === 'duplicate') {
          this.ctx.metric('processor.duplicates');
          this.ctx.counts.duplicates++;
        } else {
          this.ctx.metric('processor.processed');
          this.ctx.counts.processed++;
        }
      } catch (e) {
        if (this.sagas.sagaWrites !== sagaWrites)
          throw new Error(
            `message ${m.id} failed after its saga row was written; the batch is rolled back: ${e instanceof Error ? e.message : String(e)}`,
            { cause: e },
          );
        this.ctx.undo.rollbackTo(mark);
        this.queues.recordFailure(m, e);
      } finally {
        this.ctx.messageNow = null;
      }
      durations.push(performance.now() - t0);
    }
    // The batch's new sagas go to the table before it returns (later statements of the same
    // transaction, e.g. the seed's due-saga runs, read them there).
    this.sagas.flushNew();
    if (done.length > 0) this.queues.deleteProcessed(JSON.stringify(done));
  }

  /**
   * Tells the stores which rows keyed by the batch's transaction ids do not exist, so a new
   * transaction's claim and steps skip their lookups: two statements per batch instead of four
   * index seeks per message. Ledger rows (hold, journal, settlement) of a transaction are only
   * ever written by its saga's steps, in the same SQLite transaction that inserts or updates its
   * saga row (saga id = transaction id; sagas are never deleted), so no saga row means no ledger
   * rows. Runs at the start of the batch transaction (the write lock is held). What the batch
   * writes afterwards for an id is in the stores' batch state, which they read before these facts
   * (a second message of the same transaction meets the first one's idempotency record there).
   * The id is the message's column: should the body carry another id, the facts are simply not
   * used (they are kept per id).
   */
  private probeAbsent(batch: readonly MessageRow[]): void {
    const ids: string[] = [];
    for (const m of batch) if (m.transaction_id !== null) ids.push(m.transaction_id);
    if (ids.length === 0) return;
    const json = JSON.stringify(ids);
    const claimed = new Set(this.idempotencyKeysIn.all(json));
    const started = new Set(this.sagaIdsIn.all(json));
    this.sagas.noteProbe(new Set(ids), started);
    for (const id of ids) {
      if (!claimed.has(id)) this.ctx.idempotency.noteAbsent(id);
      if (!started.has(id)) this.ctx.ledger.noteAbsent(id, { hold: true, journal: true, settlement: true });
    }
  }
}
