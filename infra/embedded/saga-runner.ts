/**
 * The saga runner: starts a saga per transaction (as StartExecution named by the transaction id),
 * writes it (new sagas batched into one multi-row INSERT), and runs the sagas whose retry time
 * has come or that an operator asked to compensate or resume. Execution itself: saga-executor.ts.
 */
import { PoisonMessageError } from '@/infra/runtime/processor';
import type { Transaction, TransactionEvent } from '@/infra/runtime/transaction';
import { sagaDefinition, type SagaStatus } from '@/infra/saga/definition';
import type { EngineContext } from './engine-context';
import type { SagaCursor } from './names';
import { RowBatch } from './row-batch';
import type { SagaExecutor, SagaRun } from './saga-executor';
import { decodeTimeline, encodeTimeline, pendingRecord } from './saga-timeline';

const TERMINAL: ReadonlySet<SagaStatus> = new Set(['SUCCEEDED', 'COMPENSATED', 'FAILED']);

interface SagaRow {
  id: string;
  status: SagaStatus;
  started_at: number;
  ended_at: number | null;
  failed_step: string | null;
  error: string | null;
  input: string;
  steps: string;
  cursor: string;
  next_run_at: number | null;
  ingest_at: number;
}

export class SagaRunner {
  /** Saga rows written (inserted or updated) so far: see the processor host's batch. */
  sagaWrites = 0;
  /**
   * Sagas of the current write transaction: the inputs of those it created (their rows wait in
   * sagaRows until the flush), and which of the batch's ids had a saga when it began (noteProbe).
   */
  private readonly newSagaInputs = new Map<string, string>();
  private sagasAtStart: { probed: Set<string>; existing: Set<string> } | null = null;
  /** New sagas: a multi-row INSERT flushed at the end of the processor's batch (see persistSaga). */
  private readonly sagaRows;
  private readonly sagaInput;
  private readonly updateSaga;
  private readonly dueSagas;
  private readonly anyDue;

  constructor(
    private readonly ctx: EngineContext,
    private readonly executor: SagaExecutor,
  ) {
    const { db } = ctx;
    this.sagaRows = new RowBatch(
      db,
      'INSERT INTO sagas (id, transaction_id, status, started_at, ended_at, failed_step, error, amount, currency, input, steps, cursor, next_run_at, ingest_at)',
      14,
    );
    this.sagaInput = db.prepare<[string], string>('SELECT input FROM sagas WHERE id = ?').pluck();
    this.updateSaga = db.prepare(
      'UPDATE sagas SET status = ?, ended_at = ?, failed_step = ?, error = ?, steps = ?, cursor = ?, next_run_at = ? WHERE id = ?',
    );
    this.dueSagas = db.prepare<[number, number], SagaRow>(
      'SELECT id, status, started_at, ended_at, failed_step, error, input, steps, cursor, next_run_at, ingest_at FROM sagas WHERE next_run_at IS NOT NULL AND next_run_at <= ? ORDER BY next_run_at LIMIT ?',
    );
    this.anyDue = db
      .prepare<[number], number>('SELECT 1 FROM sagas WHERE next_run_at IS NOT NULL AND next_run_at <= ? LIMIT 1')
      .pluck();
  }

  /** Which of a batch's transaction ids had a saga when its transaction began (the processor's probe). */
  noteProbe(probed: Set<string>, existing: Set<string>): void {
    this.sagasAtStart = { probed, existing };
  }

  /** Writes the batch's new sagas (later statements of the same transaction read them there). */
  flushNew(): void {
    this.sagaRows.flush();
  }

  /** Ends the write transaction's saga state (rows still buffered only after a failure). */
  discardUnwritten(): void {
    this.sagaRows.discard();
    this.newSagaInputs.clear();
    this.sagasAtStart = null;
  }

  /** The stored input of saga `id`, or null when there is none (in this transaction or the table). */
  private existingSagaInput(id: string): string | null {
    const created = this.newSagaInputs.get(id);
    if (created !== undefined) return created;
    const probe = this.sagasAtStart;
    if (probe?.probed.has(id) && !probe.existing.has(id)) return null;
    return this.sagaInput.get(id) ?? null;
  }

  /**
   * Throws PoisonMessageError when transaction `tx.transactionId` already has a saga started with
   * other content (the message goes to the DLQ for review); true when it has one with the same.
   */
  checkSameContent(tx: TransactionEvent['transaction'], input = JSON.stringify(tx)): boolean {
    const existing = this.existingSagaInput(tx.transactionId);
    if (existing === null) return false;
    if (existing === input) return true;
    throw new PoisonMessageError(
      'invalid',
      `transaction ${tx.transactionId} already has a saga (${tx.transactionId}) started with different content`,
    );
  }

  startSaga(event: TransactionEvent, ingestAt: number): { sagaId: string } {
    const now = this.ctx.now();
    const tx = event.transaction;
    const input = JSON.stringify(tx);
    // As Step Functions' StartExecution (named by the transaction id) does: the same name and
    // input return the existing saga and start nothing; the same name with other content is
    // refused and the message goes to the DLQ for review (infra/lambda/processor.ts does the same).
    // Reached when the idempotency record of an applied transaction expired and it came again.
    if (this.checkSameContent(tx, input)) return { sagaId: tx.transactionId };
    const run: SagaRun = {
      id: tx.transactionId,
      transaction: tx,
      status: 'RUNNING',
      startedAt: now,
      endedAt: null,
      failedStep: null,
      error: null,
      steps: sagaDefinition.steps.map((s) => pendingRecord(s.name, 'step')),
      cursor: { phase: 'forward', index: 0, attempt: 1, comps: [] },
      nextRunAt: null,
      ingestAt: ingestAt || now,
      isNew: true,
      initialStatus: null,
    };
    this.ctx.metric('saga.started');
    this.executor.executeSaga(run);
    this.persistSaga(run, input);
    return { sagaId: run.id };
  }

  /**
   * Writes the saga: an update now, or a new row into sagaRows (a multi-row INSERT flushed by
   * processBatch; it cannot meet an existing row, see startSaga). sagaWrites counts both:
   * a message that fails after this point fails the whole batch (processBatch), because its row
   * cannot be taken back on its own.
   */
  persistSaga(run: SagaRun, input?: string): void {
    const steps = encodeTimeline(run.steps, run.startedAt);
    const c = run.cursor;
    // The same text as JSON.stringify(run.cursor) (its keys in this order), without walking the object.
    const cursor = `{"phase":"${c.phase}","index":${c.index},"attempt":${c.attempt},"comps":${c.comps.length === 0 ? '[]' : JSON.stringify(c.comps)}}`;
    if (run.isNew) {
      const t = run.transaction;
      const text = input ?? JSON.stringify(t);
      this.sagaWrites++;
      this.newSagaInputs.set(run.id, text);
      this.sagaRows.add(
        run.id,
        t.transactionId,
        run.status,
        run.startedAt,
        run.endedAt,
        run.failedStep,
        run.error,
        t.amount,
        t.currency,
        text,
        steps,
        cursor,
        run.nextRunAt,
        run.ingestAt,
      );
      this.ctx.bumpSaga(run.status, 1);
    } else {
      this.updateSaga.run(run.status, run.endedAt, run.failedStep, run.error, steps, cursor, run.nextRunAt, run.id);
      this.sagaWrites++;
      if (run.initialStatus !== run.status) {
        if (run.initialStatus) this.ctx.bumpSaga(run.initialStatus, -1);
        this.ctx.bumpSaga(run.status, 1);
      }
    }
    if (TERMINAL.has(run.status) && run.initialStatus !== run.status) {
      this.ctx.metric(
        run.status === 'SUCCEEDED'
          ? 'saga.succeeded'
          : run.status === 'COMPENSATED'
            ? 'saga.compensated'
            : 'saga.failed',
      );
      this.ctx.counts.sagasEnded++;
      // The live clock, not the message's start time (now()): the latency includes this message's processing.
      if (this.ctx.opts.trackLatency) this.ctx.latencies.push(this.ctx.liveNow() - run.ingestAt);
    }
  }

  /** Runs sagas whose retry time has come (or that an operator asked to compensate / resume). */
  async runDueSagas(limit = 500): Promise<number> {
    // Looked at before the write transaction (a read sees the last commit): no BEGIN/COMMIT when nothing is due.
    if (this.anyDue.get(this.ctx.now()) === undefined) return 0;
    return this.ctx.tx(() => {
      const rows = this.dueSagas.all(this.ctx.now(), limit);
      for (const row of rows) {
        const transaction = JSON.parse(row.input) as Transaction;
        const run: SagaRun = {
          id: row.id,
          transaction,
          status: row.status,
          startedAt: row.started_at,
          endedAt: row.ended_at,
          failedStep: row.failed_step,
          error: row.error,
          steps: decodeTimeline(row.steps, row.started_at, transaction),
          cursor: JSON.parse(row.cursor) as SagaCursor,
          nextRunAt: row.next_run_at,
          ingestAt: row.ingest_at,
          isNew: false,
          initialStatus: row.status,
        };
        if (run.cursor.phase === 'done' || (TERMINAL.has(run.status) && run.status !== 'FAILED')) {
          run.nextRunAt = null;
        } else {
          if (run.status === 'FAILED') {
            run.status = 'COMPENSATING';
            run.endedAt = null;
          }
          this.executor.executeSaga(run);
        }
        this.persistSaga(run);
      }
      return rows.length;
    });
  }
}
