import 'server-only';
import { formatMoney } from '@/infra/platform/money';
import type { Transaction } from '@/infra/runtime/transaction';
import type { Caller } from '@/server/auth/permissions.schema';
import type { SagaCursor } from '../../../infra/embedded/names';
import { planCommand } from '../../../infra/embedded/saga-commands';
import { decodeTimeline, encodeTimeline } from '../../../infra/embedded/saga-timeline';
import type { CompensateInput } from '../inputs.schema';
import type { CompensationPreview, SagaDetail } from '../platform.schema';
import { PlatformError } from '../port';
import type { LocalContext } from './context';
import type { Sagas } from './sagas';

type TxParties = { fromAccount: string; toAccount: string; amount: number; currency: string };

/** What a compensation does, in words, and the account it touches. */
function describe(compensation: string, tx: TxParties) {
  return compensation === 'ReleaseFunds'
    ? {
        description: `Release the hold of ${formatMoney(tx.amount, tx.currency)} on ${tx.fromAccount}`,
        account: tx.fromAccount,
      }
    : compensation === 'ReverseLedger'
      ? {
          description: `Reverse the ledger post: move ${formatMoney(tx.amount, tx.currency)} from ${tx.toAccount} back to ${tx.fromAccount}`,
          account: tx.toAccount,
        }
      : { description: `Void the settlement with the payment network`, account: null };
}

/**
 * Operator commands on a saga (compensate, resume): planned here with the engine's own planner
 * and written to the saga's row (status, timeline, cursor, next_run_at), which the engine's saga
 * runner picks up.
 */
export function createCompensation(ctx: LocalContext, sagas: Sagas) {
  const { db, now, immediate } = ctx;
  const s = {
    updateSaga: db.prepare(
      'UPDATE sagas SET status = ?, steps = ?, cursor = ?, next_run_at = ?, failed_step = ?, error = ?, ended_at = NULL WHERE id = ? AND status = ?',
    ),
    sagaCount: db.prepare(
      'INSERT INTO saga_counts (status, total) VALUES (?, ?) ON CONFLICT(status) DO UPDATE SET total = total + excluded.total',
    ),
  };

  function plan(sagaId: string, mode: 'compensate' | 'resume', reason: string) {
    const row = sagas.row(sagaId);
    if (!row) throw new PlatformError('NotFound', `saga ${sagaId} does not exist`, 'sagaId');
    const planned = planCommand(
      {
        status: row.status,
        steps: decodeTimeline(row.steps, row.started_at, JSON.parse(row.input) as Transaction),
        cursor: JSON.parse(row.cursor) as SagaCursor,
        nextRunAt: row.next_run_at,
        failedStep: row.failed_step,
        error: row.error,
      },
      mode,
      reason,
      now(),
    );
    if (!planned.ok) throw new PlatformError('Conflict', planned.reason, 'sagaId');
    return { row, plan: planned };
  }

  return {
    previewCompensation(input: Omit<CompensateInput, 'reason'>): CompensationPreview {
      const mode = input.mode ?? 'compensate';
      const { row, plan: planned } = plan(input.sagaId, mode, 'preview');
      const tx = JSON.parse(row.input) as TxParties;
      return {
        sagaId: row.id,
        mode,
        actions: planned.compensations.map((c) => ({ compensation: c, ...describe(c, tx), amount: tx.amount })),
      };
    },

    compensate(caller: Caller, input: CompensateInput): SagaDetail {
      const reason = input.reason?.trim() ?? '';
      if (reason.length < 3) throw new PlatformError('Invalid', 'reason must be at least 3 characters', 'reason');
      return immediate(() => {
        const { row, plan: planned } = plan(input.sagaId, input.mode ?? 'compensate', `${reason} (by ${caller.id})`);
        const next = planned.saga;
        const changed = s.updateSaga.run(
          next.status,
          encodeTimeline(next.steps, row.started_at),
          JSON.stringify(next.cursor),
          next.nextRunAt,
          next.failedStep,
          next.error,
          row.id,
          row.status,
        ).changes;
        if (changed !== 1)
          throw new PlatformError('Conflict', `saga ${row.id} changed meanwhile: reload and try again`, 'sagaId');
        if (next.status !== row.status) {
          s.sagaCount.run(row.status, -1);
          s.sagaCount.run(next.status, 1);
        }
        return sagas.toDetail(sagas.row(row.id)!);
      });
    },
  };
}
