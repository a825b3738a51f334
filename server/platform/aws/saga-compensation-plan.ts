import 'server-only';
import { EXECUTION_REDRIVE_WINDOW_MS } from '../../../infra/platform/limits';
import { formatMoney } from '../../../infra/platform/money';
import { compensationsFor, sagaDefinition, type CompensationName, type StepName } from '../../../infra/saga/definition';
import { compensationPreviewSchema, type CompensationPreview, type SagaStepRecord } from '../platform.schema';
import { PlatformError } from '../port';
import { iso, type Ctx } from './clients';
import type { HistoryRecord } from './saga-history';
import type { LoadedSaga, Transactionish } from './saga-timeline';

/**
 * What a compensation (a FAILED saga, or a SUCCEEDED one being refunded) or a resume
 * (RedriveExecution, within 14 days of the stop) of a loaded saga would do, and whether its state
 * allows it (Conflict otherwise). Pure: no AWS calls.
 */
const REDRIVE_WINDOW_MS = EXECUTION_REDRIVE_WINDOW_MS;

/** The transaction's amount from minor units with its currency, or "the amount" when unknown. */
const amountText = (t: Transactionish) =>
  Number.isInteger(t.amount) && t.currency ? formatMoney(t.amount as number, t.currency) : 'the amount';

const descriptions: Record<CompensationName, (t: Transactionish) => { description: string; account: string | null }> = {
  ReleaseFunds: (t) => ({
    description: `Release the hold of ${amountText(t)} on ${t.fromAccount ?? 'the source account'}`,
    account: t.fromAccount ?? null,
  }),
  ReverseLedger: (t) => ({
    description: `Reverse the journal entry ${t.fromAccount ?? '?'} -> ${t.toAccount ?? '?'}`,
    account: t.fromAccount ?? null,
  }),
  VoidSettlement: (t) => ({
    description: `Void the settlement with the payment network for ${t.toAccount ?? 'the destination account'}`,
    account: t.toAccount ?? null,
  }),
};

/** Whether step `name` ran at all (succeeded, failed, or was cut off running): its effect may exist. */
function ran(records: readonly SagaStepRecord[], name: string): boolean {
  return records.some((r) => r.kind === 'step' && r.name === name && r.state !== 'PENDING' && r.state !== 'SKIPPED');
}

export function planCompensation(
  ctx: Pick<Ctx, 'now'>,
  loaded: LoadedSaga,
  mode: 'compensate' | 'resume',
): CompensationPreview {
  const { detail, execution, transaction, records } = loaded;
  const amount = Number.isInteger(transaction.amount) ? (transaction.amount as number) : 0;
  if (detail.status === 'RUNNING' || detail.status === 'COMPENSATING') {
    throw new PlatformError('Conflict', `saga ${detail.id} is ${detail.status}: wait for it to stop`);
  }
  if (detail.status === 'COMPENSATED') throw new PlatformError('Conflict', `saga ${detail.id} is already COMPENSATED`);
  if (detail.status === 'SUCCEEDED' && mode === 'resume')
    throw new PlatformError('Conflict', `saga ${detail.id} SUCCEEDED: there is nothing to resume`);
  const done = (kind: 'step' | 'compensation', name: string) =>
    records.some((r) => r.kind === kind && r.name === name && r.state === 'SUCCEEDED');
  if (mode === 'compensate') {
    if (loaded.compensation)
      throw new PlatformError(
        'Conflict',
        `a compensation of saga ${detail.id} was already started (${loaded.compensation.status ?? 'unknown'}); resume it instead`,
      );
    // Every step that ran, finished or not (its write may have landed), as compensationsFor does.
    const actions = sagaDefinition.steps
      .filter((s) => s.compensation !== null && ran(records, s.name) && !done('compensation', s.compensation))
      .map((s) => s.compensation as CompensationName)
      .reverse()
      .map((c) => ({ compensation: c, ...descriptions[c](transaction), amount }));
    return compensationPreviewSchema.parse({ sagaId: detail.id, mode, actions });
  }
  // resume: RedriveExecution re-runs the failed state and what follows it.
  const target = loaded.compensation ?? execution;
  const stopped = target.stopDate?.getTime() ?? 0;
  if (ctx.now() - stopped > REDRIVE_WINDOW_MS) {
    throw new PlatformError(
      'Conflict',
      `saga ${detail.id} stopped at ${iso(stopped)}: Step Functions redrives executions only within 14 days; compensate it instead`,
    );
  }
  const failedStep = detail.failedStep as StepName | null;
  const failedCompensation = records.some((r) => r.kind === 'compensation' && r.state === 'FAILED');
  const actions =
    failedCompensation && failedStep
      ? compensationsFor(failedStep)
          .filter((c) => !done('compensation', c))
          .map((c) => ({ compensation: c, ...descriptions[c](transaction), amount }))
      : sagaDefinition.steps
          .filter((s) => !done('step', s.name))
          .map((s) => ({
            compensation: s.name,
            description: `Re-run ${s.name}: ${s.description}`,
            account: null,
            amount,
          }));
  return compensationPreviewSchema.parse({ sagaId: detail.id, mode, actions });
}

/**
 * The `results` of a compensation-mode run: it compensates the steps present there (its gates):
 * the ones that succeeded with their output, and those that ran without finishing, whose write
 * may have landed (as compensationsFor has a failed step's own compensation run).
 */
export function compensationResults(records: readonly HistoryRecord[]): Record<string, unknown> {
  const results: Record<string, unknown> = {};
  for (const r of records) {
    if (r.kind !== 'step') continue;
    if (r.state === 'SUCCEEDED' && r.output) {
      try {
        results[r.name] = JSON.parse(r.output) as unknown;
      } catch {
        results[r.name] = r.output;
      }
    } else if (ran(records, r.name)) results[r.name] = { ran: true, state: r.state };
  }
  return results;
}
