import 'server-only';
import type { Transaction } from '@/infra/runtime/transaction';
import {
  attemptLogOf,
  decodeTimeline,
  isCompactTimeline,
  type TimelineRecord,
} from '../../../infra/embedded/saga-timeline';
import type { SagaStatus } from '../../../infra/saga/definition';
import type { ListSagasInput } from '../inputs.schema';
import type { Page, SagaAttempt, SagaDetail, SagaSummary } from '../platform.schema';
import { iso, isoOrNull, type LocalContext } from './context';
import { clampLimit, decodeCursor, isPair, pageOf } from './paging';

interface SagaRow {
  seq: number;
  id: string;
  transaction_id: string;
  status: SagaStatus;
  started_at: number;
  ended_at: number | null;
  failed_step: string | null;
  error: string | null;
  amount: number;
  currency: string;
}
export interface SagaFullRow extends SagaRow {
  input: string;
  steps: string;
  cursor: string;
  next_run_at: number | null;
}

export type Sagas = ReturnType<typeof createSagas>;

/** Every attempt of a record, as the port gives them; undefined for a record stored in the earlier form. */
function attemptsDetailOf(s: TimelineRecord, compact: boolean): SagaAttempt[] | undefined {
  if (!s.attemptLog && !compact) return undefined;
  return attemptLogOf(s).map((a, i, all) => ({
    n: i + 1,
    startedAt: isoOrNull(a.startedAt),
    endedAt: isoOrNull(a.endedAt),
    outcome: a.error !== null ? 'failed' : i === all.length - 1 && s.state === 'RUNNING' ? 'running' : 'succeeded',
    error: a.error,
  }));
}

/** Sagas (filtered, paged) and one saga's timeline, read from the engine's `sagas` table. */
export function createSagas(ctx: LocalContext) {
  const { db, region } = ctx;
  const sagaById = db.prepare<[string], SagaFullRow>('SELECT * FROM sagas WHERE id = ?');

  function toSummary(r: SagaRow): SagaSummary {
    return {
      id: r.id,
      transactionId: r.transaction_id,
      region,
      status: r.status,
      startedAt: iso(r.started_at),
      endedAt: isoOrNull(r.ended_at),
      failedStep: r.failed_step,
      error: r.error,
      amount: r.amount,
      currency: r.currency,
    };
  }

  function toDetail(r: SagaFullRow): SagaDetail {
    const steps = decodeTimeline(r.steps, r.started_at, JSON.parse(r.input) as Transaction);
    const compact = isCompactTimeline(r.steps);
    return {
      ...toSummary(r),
      steps: steps.map((s) => ({
        name: s.name,
        kind: s.kind,
        state: s.state,
        attempts: s.attempts,
        startedAt: isoOrNull(s.startedAt),
        endedAt: isoOrNull(s.endedAt),
        input: s.state === 'PENDING' || s.state === 'SKIPPED' ? null : r.input,
        output: s.output,
        error: s.error,
        attemptsDetail: attemptsDetailOf(s, compact),
      })),
    };
  }

  return {
    /** The saga's full row (the compensation planner reads it too). */
    row: (id: string): SagaFullRow | undefined => sagaById.get(id),
    toDetail,

    listSagas(input: ListSagasInput): Page<SagaSummary> {
      const limit = clampLimit(input.limit);
      const desc = (input.sort ?? 'startedAt:desc') === 'startedAt:desc';
      const after = decodeCursor(input.cursor, isPair);
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (input.status) {
        where.push('status = ?');
        params.push(input.status);
      }
      if (input.transactionId) {
        where.push('id = ?');
        params.push(input.transactionId);
      }
      if (input.from) {
        where.push('started_at >= ?');
        params.push(Date.parse(input.from));
      }
      if (input.to) {
        where.push('started_at < ?');
        params.push(Date.parse(input.to));
      }
      if (after) {
        where.push(
          desc
            ? '(started_at < ? OR (started_at = ? AND seq < ?))'
            : '(started_at > ? OR (started_at = ? AND seq > ?))',
        );
        params.push(after[0], after[0], after[1]);
      }
      const dir = desc ? 'DESC' : 'ASC';
      const rows = db
        .prepare<(string | number)[], SagaRow>(
          `SELECT seq, id, transaction_id, status, started_at, ended_at, failed_step, error, amount, currency FROM sagas ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at ${dir}, seq ${dir} LIMIT ?`,
        )
        .all(...params, limit + 1);
      return pageOf(rows, limit, toSummary, (last) => [last.started_at, last.seq]);
    },

    getSaga(id: string): SagaDetail | null {
      const r = sagaById.get(id);
      return r ? toDetail(r) : null;
    },
  };
}
